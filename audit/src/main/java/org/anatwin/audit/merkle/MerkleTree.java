package org.anatwin.audit.merkle;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Merkle Tree Hash of RFC 6962 §2.1 (SHA-256; a leaf hashed with a 0x00 prefix, an interior
 * node with 0x01), inclusion proofs (audit paths, §2.1.1) and consistency proofs (§2.1.2) over a
 * list of leaf hashes, and their verification by the algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2,
 * which need nothing but the proof, the sizes and the roots.
 */
public final class MerkleTree {
  private MerkleTree() {}

  /** The hash of the empty tree: SHA-256 of nothing. */
  public static byte[] emptyRoot() {
    return digest().digest();
  }

  /** A leaf's hash: SHA-256(0x00 || leaf). */
  public static byte[] leafHash(byte[] leaf) {
    MessageDigest d = digest();
    d.update((byte) 0);
    d.update(leaf);
    return d.digest();
  }

  /** An interior node's hash: SHA-256(0x01 || left || right). */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest d = digest();
    d.update((byte) 1);
    d.update(left);
    d.update(right);
    return d.digest();
  }

  /** The root of the first {@code size} leaves. */
  public static byte[] root(List<byte[]> leafHashes, int size) {
    check(size <= leafHashes.size(), "size beyond the leaves");
    return size == 0 ? emptyRoot() : hash(leafHashes, 0, size);
  }

  /** MTH(D[from:to]), non-empty. */
  private static byte[] hash(List<byte[]> leaves, int from, int to) {
    int n = to - from;
    if (n == 1) {
      return leaves.get(from);
    }
    int k = largestPowerOfTwoBelow(n);
    return nodeHash(hash(leaves, from, from + k), hash(leaves, from + k, to));
  }

  /** The audit path of leaf {@code index} in the tree of the first {@code size} leaves. */
  public static List<byte[]> inclusionProof(List<byte[]> leafHashes, int index, int size) {
    check(size <= leafHashes.size() && index >= 0 && index < size, "index outside the tree");
    List<byte[]> path = new ArrayList<>();
    path(leafHashes, index, 0, size, path);
    return path;
  }

  private static void path(List<byte[]> leaves, int m, int from, int to, List<byte[]> out) {
    int n = to - from;
    if (n == 1) {
      return;
    }
    int k = largestPowerOfTwoBelow(n);
    if (m < k) {
      path(leaves, m, from, from + k, out);
      out.add(hash(leaves, from + k, to));
    } else {
      path(leaves, m - k, from + k, to, out);
      out.add(hash(leaves, from, from + k));
    }
  }

  /** The proof that the tree of the first {@code m} leaves is a prefix of that of {@code n}. */
  public static List<byte[]> consistencyProof(List<byte[]> leafHashes, int m, int n) {
    check(0 < m && m <= n && n <= leafHashes.size(), "sizes outside the tree");
    List<byte[]> proof = new ArrayList<>();
    subproof(leafHashes, m, 0, n, true, proof);
    return proof;
  }

  private static void subproof(
      List<byte[]> leaves, int m, int from, int to, boolean complete, List<byte[]> out) {
    int n = to - from;
    if (m == n) {
      if (!complete) {
        out.add(hash(leaves, from, to));
      }
      return;
    }
    int k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(leaves, m, from, from + k, complete, out);
      out.add(hash(leaves, from + k, to));
    } else {
      subproof(leaves, m - k, from + k, to, false, out);
      out.add(hash(leaves, from, from + k));
    }
  }

  /**
   * Whether {@code proof} shows the leaf with hash {@code leafHash} at {@code index} in the tree of
   * {@code size} leaves whose root is {@code root} (RFC 9162 §2.1.3.2).
   */
  public static boolean verifyInclusion(
      byte[] leafHash, long index, long size, List<byte[]> proof, byte[] root) {
    if (index < 0 || index >= size) {
      return false;
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0 || p.length != 32) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && Arrays.equals(r, root);
  }

  /**
   * Whether {@code proof} shows that the tree of {@code m} leaves with root {@code rootM} is a
   * prefix of the tree of {@code n} leaves with root {@code rootN} (RFC 9162 §2.1.4.2).
   */
  public static boolean verifyConsistency(
      long m, long n, byte[] rootM, byte[] rootN, List<byte[]> proof) {
    if (m <= 0 || m > n) {
      return false;
    }
    if (m == n) {
      return proof.isEmpty() && Arrays.equals(rootM, rootN);
    }
    if (proof.isEmpty() || proof.stream().anyMatch(p -> p.length != 32)) {
      return false;
    }
    List<byte[]> path = new ArrayList<>(proof);
    if (Long.bitCount(m) == 1) {
      // m is a power of two: the first subtree's root is rootM itself
      path.addFirst(rootM);
    }
    long fn = m - 1;
    long sn = n - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = path.getFirst();
    byte[] sr = path.getFirst();
    for (byte[] c : path.subList(1, path.size())) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && Arrays.equals(fr, rootM) && Arrays.equals(sr, rootN);
  }

  /** The largest power of two strictly below {@code n} (n >= 2). */
  static int largestPowerOfTwoBelow(int n) {
    return Integer.highestOneBit(n - 1);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException(what);
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /**
   * The right edge of a tree being appended to: the roots of its perfect subtrees, largest first.
   * Appending a leaf and reading the root cost O(log n), so a log of any size keeps its root.
   */
  public static final class Frontier {
    private final List<byte[]> hashes = new ArrayList<>();
    private final List<Long> sizes = new ArrayList<>();
    private long size;

    /** The frontier of a stored tree: its subtrees' hashes, largest first, and the leaf count. */
    public static Frontier of(List<byte[]> subtreeHashes, long size) {
      Frontier f = new Frontier();
      long rest = size;
      for (byte[] h : subtreeHashes) {
        long bit = Long.highestOneBit(rest);
        f.hashes.add(h);
        f.sizes.add(bit);
        rest -= bit;
      }
      check(rest == 0 && subtreeHashes.size() == Long.bitCount(size), "frontier and size differ");
      f.size = size;
      return f;
    }

    public void append(byte[] leafHash) {
      hashes.add(leafHash);
      sizes.add(1L);
      size++;
      while (sizes.size() >= 2 && sizes.get(sizes.size() - 1).equals(sizes.get(sizes.size() - 2))) {
        byte[] right = hashes.removeLast();
        byte[] left = hashes.removeLast();
        long s = sizes.removeLast();
        sizes.removeLast();
        hashes.add(nodeHash(left, right));
        sizes.add(2 * s);
      }
    }

    public long size() {
      return size;
    }

    /** The subtree roots, largest first. */
    public List<byte[]> subtrees() {
      return List.copyOf(hashes);
    }

    /** The Merkle Tree Hash of all leaves appended. */
    public byte[] root() {
      if (hashes.isEmpty()) {
        return emptyRoot();
      }
      byte[] r = hashes.getLast();
      for (int i = hashes.size() - 2; i >= 0; i--) {
        r = nodeHash(hashes.get(i), r);
      }
      return r;
    }
  }
}

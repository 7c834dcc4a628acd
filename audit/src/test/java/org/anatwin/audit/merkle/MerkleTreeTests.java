package org.anatwin.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Certificate Transparency's reference vectors, every proof of trees up to 40 leaves verified, and
 * every kind of corrupted proof refused.
 */
class MerkleTreeTests {
  private static final HexFormat HEX = HexFormat.of();
  private static final String[] LEAVES = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f"
  };
  private static final String[] ROOTS = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
  };

  private static List<byte[]> reference() {
    List<byte[]> out = new ArrayList<>();
    for (String leaf : LEAVES) {
      out.add(MerkleTree.leafHash(HEX.parseHex(leaf)));
    }
    return out;
  }

  private static List<byte[]> random(int n, long seed) {
    Random r = new Random(seed);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] leaf = new byte[1 + r.nextInt(40)];
      r.nextBytes(leaf);
      out.add(MerkleTree.leafHash(leaf));
    }
    return out;
  }

  @Test
  void rootsAreTheReferenceRootsWhetherBuiltAtOnceOrLeafByLeaf() {
    List<byte[]> leaves = reference();
    assertThat(HEX.formatHex(MerkleTree.root(leaves, 0)))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    MerkleTree.Frontier frontier = new MerkleTree.Frontier();
    for (int n = 1; n <= 8; n++) {
      assertThat(HEX.formatHex(MerkleTree.root(leaves, n))).isEqualTo(ROOTS[n - 1]);
      frontier.append(leaves.get(n - 1));
      assertThat(HEX.formatHex(frontier.root())).isEqualTo(ROOTS[n - 1]);
      MerkleTree.Frontier stored = MerkleTree.Frontier.of(frontier.subtrees(), n);
      assertThat(stored.root()).isEqualTo(frontier.root());
    }
  }

  @Test
  void proofsAreTheReferenceProofs() {
    List<byte[]> leaves = reference();
    assertThat(MerkleTree.inclusionProof(leaves, 1, 5).stream().map(HEX::formatHex))
        .containsExactly(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
    assertThat(MerkleTree.consistencyProof(leaves, 3, 8).stream().map(HEX::formatHex))
        .containsExactly(
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
  }

  @Test
  void everyProofOfSmallTreesVerifiesAndEveryCorruptionOfItFails() {
    List<byte[]> leaves = random(40, 1);
    Random random = new Random(2);
    for (int n = 1; n <= 40; n++) {
      byte[] root = MerkleTree.root(leaves, n);
      for (int i = 0; i < n; i++) {
        List<byte[]> proof = MerkleTree.inclusionProof(leaves, i, n);
        byte[] leaf = leaves.get(i);
        assertThat(MerkleTree.verifyInclusion(leaf, i, n, proof, root)).isTrue();
        for (List<Object> bad : inclusionCorruptions(leaves, leaf, i, n, proof, root, random)) {
          assertThat(
                  MerkleTree.verifyInclusion(
                      (byte[]) bad.get(0),
                      (Long) bad.get(1),
                      (Long) bad.get(2),
                      cast(bad.get(3)),
                      (byte[]) bad.get(4)))
              .as("corrupted inclusion proof %s of leaf %d in %d", bad.get(5), i, n)
              .isFalse();
        }
      }
      for (int m = 1; m <= n; m++) {
        byte[] rootM = MerkleTree.root(leaves, m);
        List<byte[]> proof = MerkleTree.consistencyProof(leaves, m, n);
        assertThat(MerkleTree.verifyConsistency(m, n, rootM, root, proof)).isTrue();
        if (m == n) {
          continue;
        }
        for (List<Object> bad : consistencyCorruptions(leaves, m, n, rootM, root, proof, random)) {
          assertThat(
                  MerkleTree.verifyConsistency(
                      (Long) bad.get(0),
                      (Long) bad.get(1),
                      (byte[]) bad.get(2),
                      (byte[]) bad.get(3),
                      cast(bad.get(4))))
              .as("corrupted consistency proof %s of %d to %d", bad.get(5), m, n)
              .isFalse();
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static List<byte[]> cast(Object o) {
    return (List<byte[]>) o;
  }

  /**
   * Wrong index, wrong size, wrong root, truncated, extended, one bit flipped in any hash. A tree
   * size is only ever claimed with the root the log has (signed) for that size, so a wrong size
   * comes with that size's root.
   */
  private static List<List<Object>> inclusionCorruptions(
      List<byte[]> leaves,
      byte[] leaf,
      long i,
      long n,
      List<byte[]> proof,
      byte[] root,
      Random random) {
    List<List<Object>> out = new ArrayList<>();
    if (n > 1) {
      out.add(List.of(leaf, (i + 1) % n, n, proof, root, "wrong index"));
    }
    if (n < leaves.size()) {
      out.add(List.of(leaf, i, n + 1, proof, MerkleTree.root(leaves, (int) n + 1), "size + 1"));
    }
    if (n > 1 && i < n - 1) {
      out.add(List.of(leaf, i, n - 1, proof, MerkleTree.root(leaves, (int) n - 1), "size - 1"));
    }
    out.add(List.of(leaf, i, n, proof, flip(root, random), "wrong root"));
    out.add(List.of(flip(leaf, random), i, n, proof, root, "wrong leaf"));
    if (!proof.isEmpty()) {
      out.add(List.of(leaf, i, n, proof.subList(0, proof.size() - 1), root, "truncated"));
      int k = random.nextInt(proof.size());
      List<byte[]> flipped = new ArrayList<>(proof);
      flipped.set(k, flip(proof.get(k), random));
      out.add(List.of(leaf, i, n, flipped, root, "bit flipped"));
    }
    List<byte[]> extended = new ArrayList<>(proof);
    extended.add(root);
    out.add(List.of(leaf, i, n, extended, root, "extended"));
    return out;
  }

  private static List<List<Object>> consistencyCorruptions(
      List<byte[]> leaves,
      long m,
      long n,
      byte[] rootM,
      byte[] rootN,
      List<byte[]> proof,
      Random random) {
    List<List<Object>> out = new ArrayList<>();
    out.add(
        List.of(m + 1, n, MerkleTree.root(leaves, (int) m + 1), rootN, proof, "first size + 1"));
    if (m > 1) {
      out.add(
          List.of(m - 1, n, MerkleTree.root(leaves, (int) m - 1), rootN, proof, "first size - 1"));
    }
    if (n < leaves.size()) {
      out.add(
          List.of(m, n + 1, rootM, MerkleTree.root(leaves, (int) n + 1), proof, "second size + 1"));
    }
    out.add(List.of(m, n, flip(rootM, random), rootN, proof, "wrong first root"));
    out.add(List.of(m, n, rootM, flip(rootN, random), proof, "wrong second root"));
    out.add(List.of(m, n, rootM, rootN, proof.subList(0, proof.size() - 1), "truncated"));
    List<byte[]> extended = new ArrayList<>(proof);
    extended.add(rootN);
    out.add(List.of(m, n, rootM, rootN, extended, "extended"));
    int k = random.nextInt(proof.size());
    List<byte[]> flipped = new ArrayList<>(proof);
    flipped.set(k, flip(proof.get(k), random));
    out.add(List.of(m, n, rootM, rootN, flipped, "bit flipped"));
    return out;
  }

  private static byte[] flip(byte[] hash, Random random) {
    byte[] out = hash.clone();
    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
    return out;
  }
}

package org.anatwin.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.anatwin.model.ContentHash;

/**
 * Content-addressed files under {@code <root>/sha256/ab/cd/<hash>}. A write goes to a temporary
 * file, is forced to disk, renamed atomically to its hash and the directory is forced too, so a
 * blob either exists whole or not at all. Paths are made from hashes only, never from DICOM values.
 * A blob whose bytes no longer match its name is an error on read.
 */
public final class BlobStore {
  private final Path root;
  private final Path tmp;

  BlobStore(Path root) {
    this.root = root.resolve("sha256");
    this.tmp = root.resolve("tmp");
    try {
      Files.createDirectories(this.root);
      Files.createDirectories(tmp);
      // the 256 first-level fan-out folders, made durable once, so a blob's path never needs one
      boolean created = false;
      for (int i = 0; i < 256; i++) {
        Path fan = this.root.resolve(String.format("%02x", i));
        if (!Files.isDirectory(fan)) {
          Files.createDirectories(fan);
          created = true;
        }
      }
      if (created) {
        forceDirectory(this.root);
        forceDirectory(root);
      }
    } catch (IOException e) {
      throw StorageException.io("cannot create blob store at " + root, e);
    }
  }

  /**
   * Deletes temporary files, which only a process that died mid-write leaves behind: nothing points
   * at them, and whatever was acknowledged is also stored under its hash. Call it only while no
   * other process writes to this store (the embedded graph's store lock guarantees that).
   */
  void removePartialFiles() {
    try (java.util.stream.Stream<Path> partial = Files.list(tmp)) {
      for (Path file : partial.toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw StorageException.io("cannot clean the blob store's temporary folder " + tmp, e);
    }
  }

  /** Stores the bytes and returns their hash; storing bytes that are already there is a no-op. */
  public ContentHash put(byte[] bytes) {
    return put(ContentHash.of(bytes), bytes);
  }

  /**
   * Stores bytes whose hash the caller has just computed from these very bytes (saves hashing them
   * twice); a wrong hash would be caught on the next read as {@code storage:blob.corrupt}.
   */
  public ContentHash put(ContentHash hash, byte[] bytes) {
    Path target = pathOf(hash);
    if (Files.exists(target)) {
      return hash;
    }
    write(hash, bytes, target);
    return hash;
  }

  /**
   * As {@link #put(ContentHash, byte[])}, saying whether this call wrote the blob (false: it was
   * there). A blob found there may have just been renamed into place by a concurrent writer whose
   * folder is not forced yet; its folder is forced here too, so a caller may commit a reference to
   * it either way.
   */
  public boolean putIfAbsent(ContentHash hash, byte[] bytes) {
    Path target = pathOf(hash);
    if (Files.exists(target)) {
      try {
        forceDirectory(target.getParent());
      } catch (IOException e) {
        throw StorageException.io("cannot force the folder of blob " + hash, e);
      }
      return false;
    }
    write(hash, bytes, target);
    return true;
  }

  /**
   * Removes a blob this process has just written and nothing references (a speculative write that
   * turned out not to be needed); a missing blob is no error.
   */
  public void discard(ContentHash hash) {
    try {
      Files.deleteIfExists(pathOf(hash));
    } catch (IOException e) {
      throw StorageException.io("cannot remove blob " + hash, e);
    }
  }

  private void write(ContentHash hash, byte[] bytes, Path target) {
    try {
      createDurably(target.getParent());
      Path temp = Files.createTempFile(tmp, hash.hex().substring(0, 8), ".part");
      try {
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          ByteBuffer buffer = ByteBuffer.wrap(bytes);
          while (buffer.hasRemaining()) {
            out.write(buffer);
          }
          out.force(true);
        }
        moveIntoPlace(temp, target);
        forceDirectory(target.getParent());
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw StorageException.io("cannot store blob " + hash, e);
    }
  }

  private static void moveIntoPlace(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      // a concurrent writer stored the same content first: same bytes, nothing to do
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the blob store needs a file system with atomic rename", e);
    }
  }

  /**
   * Creates the two fan-out folders of a blob when missing and forces each one's parent, so that a
   * blob made durable is also reachable after a crash (its folder's entry is on disk too).
   */
  private void createDurably(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path fan = dir.getParent();
    if (!Files.isDirectory(fan)) {
      Files.createDirectories(fan);
      forceDirectory(root);
    }
    Files.createDirectories(dir);
    forceDirectory(fan);
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Whether a blob with this hash is stored. */
  public boolean contains(ContentHash hash) {
    return Files.exists(pathOf(hash));
  }

  /** Reads a blob and checks its hash. */
  public byte[] get(ContentHash hash) {
    Path path = pathOf(hash);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new StorageException("storage:blob.missing", "no blob " + hash + " in the store", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!ContentHash.of(bytes).equals(hash)) {
      throw new StorageException(
          "storage:blob.corrupt",
          "blob " + hash + " does not match its hash: the store was altered");
    }
    return bytes;
  }

  /** Number of bytes of a stored blob. */
  public long size(ContentHash hash) {
    try {
      return Files.size(pathOf(hash));
    } catch (IOException e) {
      throw StorageException.io("cannot read blob " + hash, e);
    }
  }

  Path pathOf(ContentHash hash) {
    String hex = hash.hex();
    return root.resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4)).resolve(hex);
  }
}

package org.anatwin.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.anatwin.model.ContentHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreIT {
  @TempDir Path root;

  @Test
  void storesBytesUnderTheirHashAndReadsThemBack() {
    BlobStore store = new BlobStore(root);
    byte[] bytes = "a CT slice".getBytes(StandardCharsets.UTF_8);
    ContentHash hash = store.put(bytes);
    assertThat(hash).isEqualTo(ContentHash.of(bytes));
    assertThat(store.get(hash)).isEqualTo(bytes);
    assertThat(store.pathOf(hash))
        .startsWith(root.resolve("sha256").resolve(hash.hex().substring(0, 2)));
  }

  @Test
  void tenConcurrentWritersOfOneContentLeaveOneBlobAndNoTemporaryFiles() throws Exception {
    BlobStore store = new BlobStore(root);
    byte[] bytes = new byte[1 << 20];
    new java.util.Random(1).nextBytes(bytes);
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Callable<ContentHash>> writers =
          java.util.Collections.nCopies(10, () -> store.put(bytes));
      for (var result : pool.invokeAll(writers)) {
        assertThat(result.get()).isEqualTo(ContentHash.of(bytes));
      }
    }
    try (Stream<Path> files = Files.walk(root)) {
      assertThat(files.filter(Files::isRegularFile).toList())
          .containsExactly(store.pathOf(ContentHash.of(bytes)));
    }
  }

  @Test
  void aBlobAlteredOnDiskIsAnErrorOnRead() throws Exception {
    BlobStore store = new BlobStore(root);
    ContentHash hash = store.put("original".getBytes(StandardCharsets.UTF_8));
    Files.writeString(store.pathOf(hash), "altered");
    assertThatThrownBy(() -> store.get(hash))
        .isInstanceOfSatisfying(
            StorageException.class, e -> assertThat(e.code()).isEqualTo("storage:blob.corrupt"));
  }

  @Test
  void aMissingBlobIsAnErrorWithItsOwnCode() {
    BlobStore store = new BlobStore(root);
    assertThatThrownBy(() -> store.get(ContentHash.of(new byte[] {1})))
        .isInstanceOfSatisfying(
            StorageException.class, e -> assertThat(e.code()).isEqualTo("storage:blob.missing"));
  }
}

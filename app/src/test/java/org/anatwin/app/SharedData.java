package org.anatwin.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The real DICOM test data of {@code ../shared/data}, extracted at test time, never committed. */
final class SharedData {
  private SharedData() {}

  static Path sharedData() {
    Path shared = Path.of(System.getProperty("anatwin.shared", "../shared")).resolve("data");
    if (!Files.isDirectory(shared)) {
      throw new IllegalStateException(
          "the shared test data is missing: expected " + shared.toAbsolutePath());
    }
    return shared;
  }

  /** Extracts a {@code .tar.xz} of {@code ../shared/data} into {@code target} with tar. */
  static Path extract(String archive, Path target) throws IOException, InterruptedException {
    Files.createDirectories(target);
    Process tar =
        new ProcessBuilder(
                "tar", "-xJf", sharedData().resolve(archive).toString(), "-C", target.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(tar.getInputStream().readAllBytes());
    if (!tar.waitFor(5, TimeUnit.MINUTES) || tar.exitValue() != 0) {
      throw new IOException("tar failed on " + archive + ": " + output);
    }
    return target;
  }
}

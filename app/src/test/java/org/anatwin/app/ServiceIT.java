package org.anatwin.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the service's integration tests: one running service (and so one embedded Neo4j) per test
 * JVM, on a random port, with its data folder in a temporary directory and no demo data.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "anatwin.demo=false",
      "anatwin.dicom.port=0",
      // watched, but never stable on its own: AutoSegmentationIT moves the clock itself
      "anatwin.segmentation.auto.stable-age=24h"
    })
abstract class ServiceIT {
  static final Path HOME = tempDir("anatwin-it-home");

  @DynamicPropertySource
  static void home(DynamicPropertyRegistry registry) {
    registry.add("anatwin.home", HOME::toString);
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * The viewer's browser script ({@code web/e2e/viewer.mjs}): headless Debian Chromium driven by
 * playwright-core, signing in through the issuer's login form.
 */
final class ViewerScript {
  private ViewerScript() {}

  /** Runs the browser script; returns what it saw (its last line of output). */
  static JsonNode run(Map<String, Object> input) throws Exception {
    Path web = Path.of(System.getProperty("anatwin.web", "../web")).toAbsolutePath().normalize();
    if (!Files.isDirectory(web.resolve("node_modules").resolve("playwright-core"))) {
      throw new IllegalStateException(
          "the viewer's npm packages are missing in "
              + web
              + ": run ./anatwin test (or ./anatwin build)");
    }
    Path out = Files.createTempDirectory("anatwin-viewer-e2e");
    ProcessBuilder script =
        new ProcessBuilder("node", "e2e/viewer.mjs", GraphQlClient.writeJson(input))
            .directory(web.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.resolve("output.txt").toFile());
    script.environment().put("ANATWIN_E2E_OUT", out.toString()); // a screenshot on failure
    Process node = script.start();
    node.getOutputStream().close();
    try {
      if (!node.waitFor(8, TimeUnit.MINUTES)) {
        node.destroyForcibly();
        throw new AssertionError("the browser script did not end in 8 minutes");
      }
    } finally {
      node.descendants().forEach(ProcessHandle::destroyForcibly);
    }
    List<String> lines = Files.readAllLines(out.resolve("output.txt"), StandardCharsets.UTF_8);
    String last = lines.isEmpty() ? "{}" : lines.getLast();
    JsonNode seen = GraphQlClient.readJson(last.startsWith("{") ? last : "{}");
    assertThat(seen.has("error") || node.exitValue() != 0)
        .as("the browser script failed (see %s): %s", out, String.join("\n", lines))
        .isFalse();
    return seen;
  }
}

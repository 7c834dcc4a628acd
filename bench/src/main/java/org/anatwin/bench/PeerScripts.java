package org.anatwin.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Python peer scripts of {@code ../shared/bench/peers}: where they are, their scratch folder
 * (per input size), running one and reading numbers from the JSON lines they print.
 */
final class PeerScripts {
  static final String SIZE = System.getProperty("anatwin.bench.size", "full");

  final Path peers;
  final Path work;

  PeerScripts() throws IOException {
    peers =
        Path.of(System.getProperty("anatwin.shared", "../shared"), "bench", "peers")
            .toAbsolutePath();
    work =
        Path.of(System.getProperty("anatwin.bench.work", "target/bench-work"), "peer")
            .toAbsolutePath();
    Files.createDirectories(work);
  }

  /** The folder of the current input size, with the peer's inputs generated there when missing. */
  Path inputs() throws Exception {
    Path data = work.resolve(SIZE);
    if (!Files.exists(data.resolve("inputs.json"))) {
      run("vtk_bench.py", "gen");
    }
    return data;
  }

  /** Runs {@code script args --size SIZE} with the scratch folder set; returns standard output. */
  String run(String script, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("/usr/bin/python3", peers.resolve(script).toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("--size", SIZE));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("PEER_WORK", work.toString());
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(script + " " + String.join(" ", args) + " failed");
    }
    return out;
  }

  /** The value of {@code key} in the last JSON line of a script's output. */
  static double last(String jsonLines, String key) {
    String[] lines = jsonLines.strip().split("\n");
    return numbers(lines[lines.length - 1], key)[0];
  }

  /** The number or numbers (nested arrays flattened) after {@code key} in a JSON text. */
  static double[] numbers(String json, String key) {
    Matcher m =
        Pattern.compile(Pattern.quote(key) + "\\s*:\\s*\\[*([-0-9.eE,\\s\\[\\]]+)").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + key + " in " + json);
    }
    return java.util.Arrays.stream(m.group(1).replace("[", "").replace("]", "").split(","))
        .map(String::strip)
        .filter(part -> !part.isEmpty())
        .mapToDouble(Double::parseDouble)
        .toArray();
  }
}

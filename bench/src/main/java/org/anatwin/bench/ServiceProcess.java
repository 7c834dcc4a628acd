package org.anatwin.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The service as a benchmark runs it: the application jar in its own process on a data folder, on
 * free loopback ports (HTTP and Bolt), with the per-user rate limit lifted for the measuring
 * client; tokens from its embedded issuer and GraphQL over HTTP.
 */
final class ServiceProcess implements AutoCloseable {
  private final HttpClient http = HttpClient.newHttpClient();
  private final Process process;
  private final Path log;
  final int port;
  final int bolt;

  private ServiceProcess(Process process, Path log, int port, int bolt) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.bolt = bolt;
  }

  static ServiceProcess start(Path root, Path home, Path log, String... settings)
      throws IOException {
    int port = freePort();
    int bolt = freePort();
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Djava.library.path=" + System.getProperty("java.library.path"),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseZGC",
                "-Xmx4g"));
    // extra JVM options for the service, e.g. a flight recording to see where its time goes
    String extra = System.getProperty("anatwin.bench.service-jvm", "").strip();
    if (!extra.isEmpty()) {
      command.addAll(Arrays.asList(extra.split("\\s+")));
    }
    command.addAll(
        List.of(
            "-jar",
            root.resolve("app/target/anatwin.jar").toString(),
            "--server.port=" + port,
            "--anatwin.home=" + home,
            "--anatwin.dicom.port=0",
            "--anatwin.segmentation.auto.enabled=false",
            "--anatwin.neo4j.bolt-port=" + bolt,
            // the measuring client sends as fast as it can
            "--anatwin.api.rate.per-second=1000000",
            "--anatwin.api.rate.burst=1000000"));
    command.addAll(Arrays.asList(settings));
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ServiceProcess(process, log, port, bolt);
  }

  /** A demo client's token, once the service answers (within five minutes). */
  String token(String role) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    String basic =
        java.util.Base64.getEncoder()
            .encodeToString(
                ("demo-" + role + ":demo-" + role + "-secret").getBytes(StandardCharsets.UTF_8));
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the service exited: " + Files.readString(log));
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                    .header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return r.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1");
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the service did not start: " + Files.readString(log));
      }
      Thread.sleep(500);
    }
  }

  /**
   * Posts a query with one string variable {@code name}; returns the body, which must be a 200
   * without errors.
   */
  String post(String token, String query, String name, String value) throws Exception {
    return send(
        token,
        "{\"query\":" + quote(query) + ",\"variables\":{\"" + name + "\":" + quote(value) + "}}",
        name + "=" + value);
  }

  /** Posts a query without variables; as {@link #post(String, String, String, String)}. */
  String post(String token, String query) throws Exception {
    return send(token, "{\"query\":" + quote(query) + "}", "no variables");
  }

  private String send(String token, String body, String what) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/graphql"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 || r.body().contains("\"errors\"")) {
      throw new IllegalStateException(
          "query with " + what + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /** A store on the service's own database over Bolt, for the peer's statements. */
  org.anatwin.storage.Storage peerStore(Path work) throws IOException {
    return org.anatwin.storage.Storage.open(
        new org.anatwin.storage.Storage.Settings(
            Files.createTempDirectory(work, "peer-"),
            URI.create("bolt://127.0.0.1:" + bolt),
            "",
            "",
            0));
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }
}

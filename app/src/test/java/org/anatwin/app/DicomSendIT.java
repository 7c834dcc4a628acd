package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.anatwin.ingest.ImportReport;
import org.anatwin.ingest.Ingest;
import org.anatwin.ingest.IngestException;
import org.anatwin.model.Actor;
import org.anatwin.model.SeriesInstanceUid;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Our C-STORE SCU sends a stored series to Orthanc (Debian), a real PACS, started for the test. */
class DicomSendIT extends ServiceIT {
  private static final Actor ADMIN = new Actor("it-admin", "admin");

  @Autowired Ingest ingest;
  @org.springframework.boot.test.web.server.LocalServerPort int port;

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void orthancReceivesTheSeriesOurScuSends() throws Exception {
    Path phantom = tempDir("anatwin-it-send");
    Ingest.writePhantom(phantom);
    ImportReport report = ingest.importFolder(phantom.resolve("femur"), ADMIN);
    SeriesInstanceUid series = SeriesInstanceUid.of(report.series().iterator().next());
    // every stored instance of the series, including any other tests of this JVM added to it
    int expected =
        ((Number) ingest.series(series.value()).orElseThrow().get("instanceCount")).intValue();

    Path home = tempDir("anatwin-it-orthanc");
    int dicomPort = freePort();
    int httpPort = freePort();
    Path config = home.resolve("orthanc.json");
    Files.writeString(
        config,
        """
        {"Name": "it", "StorageDirectory": "%s", "IndexDirectory": "%s", "DicomAet": "ORTHANC",
         "DicomPort": %d, "HttpPort": %d, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
         "DicomCheckCalledAet": false, "DicomAlwaysAllowStore": true}
        """
            .formatted(home.resolve("store"), home.resolve("index"), dicomPort, httpPort),
        StandardCharsets.UTF_8);
    Process orthanc =
        new ProcessBuilder("/usr/sbin/Orthanc", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("orthanc.log").toFile())
            .start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI statistics = URI.create("http://127.0.0.1:" + httpPort + "/statistics");
      String stats = null;
      for (int attempt = 0; attempt < 100 && stats == null; attempt++) {
        try {
          stats =
              http.send(
                      HttpRequest.newBuilder(statistics).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body();
        } catch (java.io.IOException notYet) {
          Thread.sleep(200);
        }
      }
      assertThat(stats).as("Orthanc started").isNotNull();

      Ingest.SendReport sent =
          ingest.send(
              series,
              new Ingest.RemoteAe("127.0.0.1", dicomPort, "ORTHANC"),
              "ANATWIN",
              ADMIN,
              HOME.resolve("spool"));

      assertThat(sent.sent()).isEqualTo(expected);
      assertThat(sent.failed()).isZero();
      String after =
          http.send(
                  HttpRequest.newBuilder(statistics).build(), HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(after.replaceAll("(?s).*\"CountInstances\"\\s*:\\s*(\\d+).*", "$1"))
          .isEqualTo(Integer.toString(expected));
    } finally {
      orthanc.destroy();
      if (!orthanc.waitFor(20, TimeUnit.SECONDS)) {
        orthanc.destroyForcibly();
      }
    }
  }

  @Test
  void sendingToADestinationNobodyConfiguredIsRefused() throws Exception {
    GraphQlClient client = new GraphQlClient(port);
    var body =
        client
            .post(
                client.token("admin"),
                "mutation { sendSeries(uid: \"1.2.3\", destination: \"ELSEWHERE\") { sent } }",
                java.util.Map.of())
            .body();
    assertThat(body.get("errors").get(0).get("extensions").get("code").asString())
        .isEqualTo("ingest:send.unknown-destination");
    var planner =
        client
            .post(
                client.token("planner"),
                "mutation { sendSeries(uid: \"1.2.3\", destination: \"ELSEWHERE\") { sent } }",
                java.util.Map.of())
            .body();
    assertThat(planner.get("errors").get(0).get("extensions").get("classification").asString())
        .isEqualTo("FORBIDDEN");
  }

  @Test
  void aRemoteThatDoesNotAnswerIsAClearFailure() throws Exception {
    Path phantom = tempDir("anatwin-it-send-fail");
    Ingest.writePhantom(phantom);
    SeriesInstanceUid series =
        SeriesInstanceUid.of(
            ingest.importFolder(phantom.resolve("femur"), ADMIN).series().iterator().next());
    int closed = freePort();
    assertThatThrownBy(
            () ->
                ingest.send(
                    series,
                    new Ingest.RemoteAe("127.0.0.1", closed, "NOBODY"),
                    "ANATWIN",
                    ADMIN,
                    HOME.resolve("spool")))
        .isInstanceOfSatisfying(
            IngestException.class, e -> assertThat(e.code()).isEqualTo("ingest:send.failed"));
  }
}

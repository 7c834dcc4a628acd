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

    try (RunningOrthanc orthanc = RunningOrthanc.start(tempDir("anatwin-it-orthanc"))) {
      Ingest.SendReport sent =
          ingest.send(series, orthanc.ae(), "ANATWIN", ADMIN, HOME.resolve("spool"));

      assertThat(sent.sent()).isEqualTo(expected);
      assertThat(sent.failed()).isZero();
      String after = orthanc.get("/statistics");
      assertThat(after.replaceAll("(?s).*\"CountInstances\"\\s*:\\s*(\\d+).*", "$1"))
          .isEqualTo(Integer.toString(expected));
    }
  }

  @Test
  void orthancStoresOurEncapsulatedStlAndObjAndGivesTheModelsBackUnchanged() throws Exception {
    org.anatwin.model.TriangleMesh mesh =
        new org.anatwin.model.TriangleMesh(
            new float[] {0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10},
            new int[] {0, 2, 1, 0, 1, 3, 1, 2, 3, 2, 0, 3});
    String root = "1.2.826.0.1.3680043.10.2000." + System.nanoTime() % 1_000_000;
    java.util.function.Function<String, org.anatwin.modeling.DicomModels.Context> context =
        sopInstance ->
            new org.anatwin.modeling.DicomModels.Context(
                "Model^Test",
                "M-1",
                "",
                "O",
                root + ".1",
                "20261128",
                "",
                "",
                "",
                root + ".2",
                root + ".3",
                900,
                sopInstance,
                root + ".5",
                "20261128",
                "000000",
                "bone",
                java.util.List.of(
                    new org.anatwin.modeling.DicomModels.Source(
                        root + ".6", "1.2.840.10008.5.1.4.1.1.2", root + ".7")),
                "test",
                "1",
                "{}",
                "0.1.0");
    byte[] stl = org.anatwin.modeling.DicomModels.encapsulatedStl(mesh, context.apply(root + ".4"));
    byte[] obj = org.anatwin.modeling.DicomModels.encapsulatedObj(mesh, context.apply(root + ".8"));
    // our own ingest takes them (Encapsulated STL and OBJ are accepted SOP classes) ...
    assertThat(ingest.receive(stl, ADMIN, "test").outcome()).isEqualTo(Ingest.Stored.NEW);
    assertThat(ingest.receive(obj, ADMIN, "test").outcome()).isEqualTo(Ingest.Stored.NEW);
    try (RunningOrthanc orthanc = RunningOrthanc.start(tempDir("anatwin-it-orthanc-stl"))) {
      // ... and sends it on like any series
      Ingest.SendReport sent =
          ingest.send(
              SeriesInstanceUid.of(root + ".3"),
              orthanc.ae(),
              "ANATWIN",
              ADMIN,
              HOME.resolve("spool"));
      assertThat(sent.sent()).isEqualTo(2);
      java.util.Map<String, byte[]> documents = new java.util.HashMap<>();
      java.util.regex.Matcher ids =
          java.util.regex.Pattern.compile("\"([0-9a-f-]{40,})\"")
              .matcher(orthanc.get("/instances"));
      while (ids.find()) {
        byte[] file = orthanc.getBytes("/instances/" + ids.group(1) + "/file");
        com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.AttributeList();
        list.read(new com.pixelmed.dicom.DicomInputStream(new java.io.ByteArrayInputStream(file)));
        byte[] document =
            list.get(com.pixelmed.dicom.TagFromName.EncapsulatedDocument).getByteValues();
        long length =
            com.pixelmed.dicom.Attribute.getSingleLongValueOrDefault(
                list, new com.pixelmed.dicom.AttributeTag(0x0042, 0x0015), -1);
        documents.put(
            com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(
                list, com.pixelmed.dicom.TagFromName.MIMETypeOfEncapsulatedDocument),
            java.util.Arrays.copyOf(document, (int) length));
      }
      assertThat(documents).containsOnlyKeys("model/stl", "model/obj");
      assertThat(documents.get("model/stl")).isEqualTo(org.anatwin.modeling.Modeling.toStl(mesh));
      assertThat(documents.get("model/obj")).isEqualTo(org.anatwin.modeling.Modeling.toObj(mesh));
    }
  }

  /** Orthanc (Debian) on free loopback ports with a store of its own, stopped by PID on close. */
  record RunningOrthanc(Process process, int dicomPort, int httpPort, HttpClient http)
      implements AutoCloseable {
    static RunningOrthanc start(Path home) throws Exception {
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
      Process process =
          new ProcessBuilder("/usr/sbin/Orthanc", config.toString())
              .redirectErrorStream(true)
              .redirectOutput(home.resolve("orthanc.log").toFile())
              .start();
      RunningOrthanc orthanc =
          new RunningOrthanc(process, dicomPort, httpPort, HttpClient.newHttpClient());
      for (int attempt = 0; attempt < 100; attempt++) {
        try {
          orthanc.get("/statistics");
          return orthanc;
        } catch (java.io.IOException notYet) {
          Thread.sleep(200);
        }
      }
      orthanc.close();
      throw new IllegalStateException("Orthanc did not start; see " + home.resolve("orthanc.log"));
    }

    Ingest.RemoteAe ae() {
      return new Ingest.RemoteAe("127.0.0.1", dicomPort, "ORTHANC");
    }

    String get(String path) throws Exception {
      return new String(getBytes(path), StandardCharsets.UTF_8);
    }

    byte[] getBytes(String path) throws Exception {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
              HttpResponse.BodyHandlers.ofByteArray())
          .body();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
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

package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * STOW-RS with the SEG and RTSTRUCT objects of {@code ../shared/data}, through the running service.
 */
class StowIT extends ServiceIT {
  private static final String BOUNDARY = "anatwin-stow-boundary-7f3a";

  @LocalServerPort int port;
  @Autowired Storage storage;

  private HttpResponse<String> stow(String token, String contentType, byte[] body)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/dicomweb/studies"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] multipart(List<byte[]> parts, String partType) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.write(
          ("--" + BOUNDARY + "\r\nContent-Type: " + partType + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(part);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.write(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static final String TYPE =
      "multipart/related; type=\"application/dicom\"; boundary=" + BOUNDARY;

  @Test
  void storesTheSegWithItsCtAndTheStructureSetAndListsThemInTheResponse() throws Exception {
    Path data = SharedData.sharedData();
    List<byte[]> parts = new ArrayList<>();
    parts.add(Files.readAllBytes(data.resolve("seg-dcmqi/liver.dcm")));
    for (String ct : List.of("01.dcm", "02.dcm", "03.dcm")) {
      parts.add(Files.readAllBytes(data.resolve("seg-dcmqi/ct-3slice").resolve(ct)));
    }
    parts.add(Files.readAllBytes(data.resolve("rtstruct-dicompyler/rtss.dcm")));
    parts.add(Files.readAllBytes(data.resolve("rtstruct-dicompyler/ct.0.dcm")));
    String token = new GraphQlClient(port).token("radiologist");

    HttpResponse<String> response = stow(token, TYPE, multipart(parts, "application/dicom"));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/dicom+json");
    JsonNode body = JsonMapper.builder().build().readTree(response.body());
    assertThat(body.get("00081199").get("Value")).hasSize(6);
    assertThat(body.has("00081198")).isFalse();
    long sameStudy =
        storage
            .graph()
            .read(
                tx ->
                    tx.run(
                            """
        MATCH (st:Study)-[:HAS_SERIES]->(:Series)-[:HAS_INSTANCE]->(seg:Instance {sopClassUid: '1.2.840.10008.5.1.4.1.1.66.4'})
        MATCH (st)-[:HAS_SERIES]->(:Series)-[:HAS_INSTANCE]->(ct:Instance {sopClassUid: '1.2.840.10008.5.1.4.1.1.2'})
        RETURN count(DISTINCT ct)""")
                        .single()
                        .get(0)
                        .asLong());
    assertThat(sameStudy).as("CT slices in the SEG's study").isEqualTo(3);

    HttpResponse<String> again = stow(token, TYPE, multipart(parts, "application/dicom"));
    assertThat(again.statusCode()).isEqualTo(200);
  }

  @Test
  void refusesWhatItCannotStoreWithFailureReasons() throws Exception {
    String token = new GraphQlClient(port).token("radiologist");
    HttpResponse<String> none =
        stow(
            token,
            TYPE,
            multipart(
                List.of("not dicom".getBytes(StandardCharsets.US_ASCII)), "application/dicom"));
    assertThat(none.statusCode()).isEqualTo(409);
    JsonNode failed =
        JsonMapper.builder().build().readTree(none.body()).get("00081198").get("Value");
    assertThat(failed.get(0).get("00081197").get("Value").get(0).asInt()).isEqualTo(0xC000);

    HttpResponse<String> noBoundary =
        stow(
            token,
            "multipart/related; type=\"application/dicom\"",
            "x".getBytes(StandardCharsets.US_ASCII));
    assertThat(noBoundary.statusCode()).isEqualTo(400);
    assertThat(noBoundary.body()).contains("ingest:stow.no-boundary");

    HttpResponse<String> wrongType =
        stow(token, "application/json", "{}".getBytes(StandardCharsets.US_ASCII));
    assertThat(wrongType.statusCode()).isEqualTo(415);

    HttpResponse<String> forbidden =
        stow(
            new GraphQlClient(port).token("designer"),
            TYPE,
            multipart(List.of(), "application/dicom"));
    assertThat(forbidden.statusCode()).isEqualTo(403);
  }
}

package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.anatwin.ingest.DicomListener;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

/** The C-STORE / C-ECHO SCP against dcmtk's {@code storescu} and {@code echoscu}, real peers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DicomNetworkIT extends ServiceIT {
  private static final Path TILTED = tempDir("anatwin-it-tilted");
  private static final Path ONE_MM = tempDir("anatwin-it-1mm");

  @Autowired DicomListener listener;
  @Autowired Storage storage;

  record Run(int exit, String output) {}

  @BeforeAll
  void extract() throws Exception {
    SharedData.extract("ct-skull-phantom-study2-tilt-2.5mm.tar.xz", TILTED);
    SharedData.extract("ct-skull-phantom-study1-bone-1mm.tar.xz", ONE_MM);
  }

  private Run dcmtk(String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of(command));
    ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true);
    builder.environment().put("TCP_NODELAY", "1");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), output);
  }

  private Run storescu(Path folder) throws Exception {
    return dcmtk(
        "storescu",
        "-aet",
        "STORESCU",
        "-aec",
        listener.aeTitle(),
        "+sd",
        "+r",
        listener.host(),
        Integer.toString(listener.port()),
        folder.toString());
  }

  private long count(String cypher, Map<String, Object> params) {
    return storage.graph().read(tx -> tx.run(cypher, params).single().get(0).asLong());
  }

  private long instancesOfTiltedSeries() {
    return count(
        "MATCH (:Series {description: $d})-[:HAS_INSTANCE]->(i:Instance) RETURN count(i)",
        Map.of("d", seriesDescription()));
  }

  private String seriesDescription() {
    return storage
        .graph()
        .read(
            tx ->
                tx
                    .run(
                        "MATCH (i:Instance {sopInstanceUid: $uid})<-[:HAS_INSTANCE]-(s:Series) RETURN s.description",
                        Map.of("uid", firstSopInstanceUid()))
                    .list(r -> r.get(0).asString())
                    .stream()
                    .findFirst()
                    .orElse(""));
  }

  private String firstSopInstanceUid() {
    return firstFileValue(TILTED, TagFromName.SOPInstanceUID);
  }

  private static String seriesUidOf(Path folder) {
    return firstFileValue(folder, TagFromName.SeriesInstanceUID);
  }

  /** A value of the first file (in name order) under a folder. */
  private static String firstFileValue(Path folder, com.pixelmed.dicom.AttributeTag tag) {
    try (Stream<Path> files = Files.walk(folder)) {
      Path first = files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
      AttributeList list = new AttributeList();
      list.read(first.toFile(), TagFromName.PixelData);
      return Attribute.getSingleStringValueOrEmptyString(list, tag);
    } catch (java.io.IOException | DicomException e) {
      throw new IllegalStateException(e);
    }
  }

  private String storedDatasetHash(String uid) {
    return storage
        .graph()
        .read(
            tx ->
                tx.run(
                        "MATCH (i:Instance {sopInstanceUid: $u}) RETURN i.datasetSha256",
                        Map.of("u", uid))
                    .single()
                    .get(0)
                    .asString());
  }

  @Test
  void echoscuGetsAnAnswer() throws Exception {
    Run echo =
        dcmtk(
            "echoscu",
            "-aet",
            "ECHOSCU",
            "-aec",
            listener.aeTitle(),
            listener.host(),
            Integer.toString(listener.port()));
    assertThat(echo.exit()).as(echo.output()).isZero();
  }

  @Test
  void storescuSendsBothPhantomStudiesAndASecondSendIsAllDuplicates() throws Exception {
    // the integration tests share one store: another test may have imported the series already
    long storedBefore = instancesOfTiltedSeries();
    Run first = storescu(TILTED);
    assertThat(first.exit()).as(first.output()).isZero();
    assertThat(instancesOfTiltedSeries()).isEqualTo(54);
    Run oneMillimetre = storescu(ONE_MM);
    assertThat(oneMillimetre.exit()).as(oneMillimetre.output()).isZero();
    assertThat(
            count(
                "MATCH (s:Series)-[:HAS_INSTANCE]->(i:Instance) WHERE s.uid = $uid RETURN count(i)",
                Map.of("uid", seriesUidOf(ONE_MM))))
        .isEqualTo(140);
    long instances = count("MATCH (i:Instance) RETURN count(i)", Map.of());
    long activities = count("MATCH (a:Activity) RETURN count(a)", Map.of());

    Run second = storescu(TILTED);
    assertThat(second.exit()).as(second.output()).isZero();
    Run secondOneMillimetre = storescu(ONE_MM);
    assertThat(secondOneMillimetre.exit()).as(secondOneMillimetre.output()).isZero();
    assertThat(count("MATCH (i:Instance) RETURN count(i)", Map.of())).isEqualTo(instances);
    assertThat(count("MATCH (a:Activity) RETURN count(a)", Map.of())).isEqualTo(activities);
    assertThat(
            count(
                "MATCH (:Agent {id: 'ae:STORESCU'})<-[:WAS_ASSOCIATED_WITH]-(a:Activity {algorithm: 'anatwin.dicom.receive'}) RETURN count(a)",
                Map.of()))
        .as("receipts from storescu's association for the instances it stored first")
        .isGreaterThanOrEqualTo(54 - storedBefore);
    try (Stream<Path> partial = Files.list(HOME.resolve("blobs").resolve("tmp"))) {
      assertThat(partial.toList()).as("partial blob files left behind").isEmpty();
    }
  }

  @Test
  void aDifferentDatasetUnderAStoredUidGetsNoSuccessAndTheOriginalStays() throws Exception {
    storescu(TILTED);
    Path original;
    try (Stream<Path> files = Files.walk(TILTED)) {
      original = files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
    }
    String uid = firstSopInstanceUid();
    String storedHash = storedDatasetHash(uid);
    byte[] altered = Files.readAllBytes(original);
    altered[altered.length - 1] ^= 0x01;
    Path folder = tempDir("anatwin-it-conflict-scu");
    Files.write(folder.resolve("altered"), altered);

    Run refused = storescu(folder);

    assertThat(refused.exit()).as(refused.output()).isNotZero();
    assertThat(storedDatasetHash(uid)).isEqualTo(storedHash);
    assertThat(
            count(
                "MATCH (e:AuditEvent {action: 'dicom.c-store', outcome: 'FAILURE'}) WHERE e.detail STARTS WITH 'ingest:instance.conflict' RETURN count(e)",
                Map.of()))
        .isPositive();
  }
}

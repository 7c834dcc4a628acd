package org.anatwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.anatwin.model.AuditEvent;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our SCP answers each C-STORE with the status of what happened, and the association goes on after
 * a refusal; dcmtk's {@code storescu} is the peer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DicomListenerIT {
  @TempDir static Path work;
  private Storage storage;
  private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();

  record Run(int exit, String output) {}

  @BeforeAll
  void open() {
    storage = Storage.open(Storage.Settings.embedded(work.resolve("home")));
  }

  @AfterAll
  void close() {
    storage.close();
  }

  private DicomListener listen(long maxInstanceBytes) {
    Ingest ingest =
        new Ingest(
            storage,
            audit::add,
            Ingest.Limits.defaults().withMaxInstanceBytes(maxInstanceBytes),
            Clock.systemUTC());
    return ingest.listen(new DicomListener.Settings("ANATWIN", "127.0.0.1", 0, 16384));
  }

  /** Sends a folder, or the given files in their order, going on after a failed store. */
  private static Run storescu(DicomListener scp, Path... paths) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "storescu",
                "-v",
                "-nh",
                "-aet",
                "SCU",
                "-aec",
                scp.aeTitle(),
                "+sd",
                "+r",
                scp.host(),
                Integer.toString(scp.port())));
    for (Path path : paths) {
      command.add(path.toString());
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), output);
  }

  private List<Path> series(String name, int slices) {
    return new SyntheticSeries(name, 1, 32, 32, 0.7, slices, 1.0, 0, 0, 0)
        .write(work.resolve(name), (x, y, z) -> x * 10);
  }

  private long count(String cypher, Map<String, Object> params) {
    return storage.graph().read(tx -> tx.run(cypher, params).single().get(0).asLong());
  }

  private static String sopInstanceUid(Path file) throws Exception {
    AttributeList list = new AttributeList();
    list.read(file.toFile(), TagFromName.PixelData);
    return Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID);
  }

  private String storedHash(Path file) throws Exception {
    Map<String, Object> params = Map.of("u", sopInstanceUid(file));
    String hash =
        storage
            .graph()
            .read(
                tx ->
                    tx.run("MATCH (i:Instance {sopInstanceUid: $u}) RETURN i.datasetSha256", params)
                        .single()
                        .get(0)
                        .asString());
    return hash;
  }

  private long instances(Path file) throws Exception {
    return count(
        "MATCH (i:Instance {sopInstanceUid: $u}) RETURN count(i)",
        Map.of("u", sopInstanceUid(file)));
  }

  @Test
  void aConflictIsAnsweredWithDuplicateSopInstanceAndTheAssociationGoesOn() throws Exception {
    List<Path> files = series("status-conflict", 3);
    DicomListener scp = listen(1L << 30);
    try (scp) {
      Path first = work.resolve("first");
      Files.createDirectories(first);
      Files.copy(files.get(1), first.resolve("b"));
      assertThat(storescu(scp, first).exit()).isZero();
      String stored = storedHash(files.get(1));

      // a, then b with one pixel changed (same UID, other data set), then c
      Path batch = work.resolve("batch");
      Files.createDirectories(batch);
      Files.copy(files.get(0), batch.resolve("a"));
      byte[] altered = Files.readAllBytes(files.get(1));
      altered[altered.length - 2] ^= 0x01;
      Files.write(batch.resolve("b"), altered);
      Files.copy(files.get(2), batch.resolve("c"));
      Run run = storescu(scp, batch.resolve("a"), batch.resolve("b"), batch.resolve("c"));

      assertThat(run.output())
          .containsSubsequence(
              "Received Store Response (Success)",
              "Received Store Response (Unknown Status: 0x111)",
              "Received Store Response (Success)");
      assertThat(instances(files.get(0))).isOne();
      assertThat(instances(files.get(2))).as("sent after the refused one").isOne();
      assertThat(storedHash(files.get(1))).isEqualTo(stored);
      assertThat(audit)
          .anySatisfy(
              e -> {
                assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.FAILURE);
                assertThat(e.detail()).startsWith("ingest:instance.conflict");
              });
    }
  }

  @Test
  void anObjectOneByteOverTheLimitIsRefusedWithOutOfResourcesAndNothingIsKept() throws Exception {
    List<Path> files = series("status-limit", 1);
    Path file = files.getFirst();
    AttributeList list = new AttributeList();
    list.read(file.toFile());
    // the data set as sent: the file without preamble and meta group
    long metaEnd =
        132
            + 12
            + Attribute.getSingleLongValueOrDefault(
                list, TagFromName.FileMetaInformationGroupLength, 0);
    long dataSet = Files.size(file) - metaEnd;
    long blobsBefore = blobs();
    try (DicomListener scp = listen(dataSet - 1)) {
      Run run = storescu(scp, file.getParent());
      assertThat(run.output()).contains("Received Store Response (Refused: OutOfResources)");
    }
    assertThat(instances(file)).isZero();
    assertThat(blobs()).isEqualTo(blobsBefore);
    try (DicomListener scp = listen(dataSet)) {
      Run run = storescu(scp, file.getParent());
      assertThat(run.exit()).as(run.output()).isZero();
    }
    assertThat(instances(file)).as("exactly at the limit is accepted").isOne();
  }

  @Test
  void aSopClassOutsideTheAcceptedListIsRejectedAtAssociation() throws Exception {
    Path file = series("status-sc", 1).getFirst();
    AttributeList list = new AttributeList();
    list.read(file.toFile());
    String secondaryCapture = "1.2.840.10008.5.1.4.1.1.7";
    list.replaceWithValueIfPresent(TagFromName.SOPClassUID, secondaryCapture);
    list.replaceWithValueIfPresent(TagFromName.MediaStorageSOPClassUID, secondaryCapture);
    Path folder = work.resolve("sc");
    Files.createDirectories(folder);
    list.write(
        folder.resolve("sc.dcm").toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
    try (DicomListener scp = listen(1L << 30)) {
      Run run = storescu(scp, folder);
      assertThat(run.output()).containsIgnoringCase("no presentation context");
    }
    assertThat(instances(folder.resolve("sc.dcm"))).isZero();
  }

  private long blobs() throws Exception {
    Path root = work.resolve("home").resolve("blobs").resolve("sha256");
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void aPatientsPseudonymIsKeyedWithThisStoresSecretNotJustAHashOfTheId() throws Exception {
    Ingest ingest = new Ingest(storage, audit::add, Ingest.Limits.defaults(), Clock.systemUTC());
    Path phantoms = work.resolve("pseudonym-phantoms");
    for (int patient : new int[] {6161, 6162}) {
      Path dir = phantoms.resolve("p" + patient);
      Ingest.writePhantom(dir, patient);
      try (var files = java.nio.file.Files.list(dir.resolve("femur"))) {
        Path first = files.sorted().findFirst().orElseThrow();
        ingest.receive(
            java.nio.file.Files.readAllBytes(first),
            new org.anatwin.model.Actor("it", "admin"),
            "it");
      }
    }
    var rows =
        storage
            .graph()
            .read(
                tx ->
                    tx.run(
                            "MATCH (k:PseudonymKey) WITH collect(k.key) AS keys "
                                + "MATCH (p:Patient) WHERE p.patientId IN ['ANATWIN-PHANTOM-6161', 'ANATWIN-PHANTOM-6162'] "
                                + "RETURN keys, p.id AS id, p.pseudonym AS pseudonym ORDER BY p.patientId")
                        .list(r -> r.asMap()));
    assertThat(rows).hasSize(2);
    @SuppressWarnings("unchecked")
    List<String> keys = (List<String>) rows.getFirst().get("keys");
    assertThat(keys).hasSize(1);
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(
        new javax.crypto.spec.SecretKeySpec(
            java.util.HexFormat.of().parseHex(keys.getFirst()), "HmacSHA256"));
    for (var row : rows) {
      String id = (String) row.get("id");
      String expected =
          "ANON-"
              + java.util.HexFormat.of()
                  .withUpperCase()
                  .formatHex(
                      mac.doFinal(id.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 6);
      assertThat(row.get("pseudonym")).isEqualTo(expected);
      // the unkeyed form (a plain hash of the patient key) is not what is stored
      String unkeyed =
          "ANON-"
              + org.anatwin.model.DerivedIds.createId("pseudonym", id)
                  .substring(10, 22)
                  .toUpperCase(java.util.Locale.ROOT);
      assertThat(row.get("pseudonym")).isNotEqualTo(unkeyed);
    }
    assertThat(rows.get(0).get("pseudonym")).isNotEqualTo(rows.get(1).get("pseudonym"));
  }
}

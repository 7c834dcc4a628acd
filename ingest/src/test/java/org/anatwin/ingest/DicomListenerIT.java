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
    return storescu(scp, List.of(), paths);
  }

  /** With more storescu options, such as {@code -R} (propose only the files' own syntaxes). */
  private static Run storescu(DicomListener scp, List<String> options, Path... paths)
      throws Exception {
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
    command.addAll(2, options); // after -v, so that -d can raise the log level
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

  /** The files in the blob store, temporary ones included. */
  private long blobFiles() throws Exception {
    try (Stream<Path> files = Files.walk(work.resolve("home").resolve("blobs"))) {
      return files.filter(Files::isRegularFile).count();
    }
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

  /** Runs a dcmtk converter over each file into {@code folder}. */
  private static void convert(List<Path> files, Path folder, String... tool) throws Exception {
    Files.createDirectories(folder);
    for (Path file : files) {
      List<String> command = new ArrayList<>(List.of(tool));
      command.add(file.toString());
      command.add(folder.resolve(file.getFileName()).toString());
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor()).as(output).isZero();
    }
  }

  @Test
  void losslessCompressedSeriesAreStoredAsSentAndAssembleLikeTheirUncompressedOriginals()
      throws Exception {
    Ingest ingest = new Ingest(storage, audit::add, Ingest.Limits.defaults(), Clock.systemUTC());
    // name, storescu's proposal option, converter
    String[][] tools = {
      {"jpeg-lossless-sv1", "-xs", "dcmcjpeg", "+e1"},
      {"rle", "-xr", "dcmcrle"},
      {"deflated", "-xd", "dcmconv", "+td"},
      {"jpeg-ls", "-xt", "dcmcjpls"}
    };
    try (DicomListener scp =
        ingest.listen(new DicomListener.Settings("ANATWIN", "127.0.0.1", 0, 16384))) {
      for (String[] tool : tools) {
        String name = "compressed-" + tool[0];
        List<Path> originals =
            new SyntheticSeries(name, 1, 48, 40, 0.7, 6, 1.25, 0, 0, 0)
                .write(work.resolve(name), (x, y, z) -> 900 * Math.sin(x / 3) + 40 * y - 7 * z);
        Path sent = work.resolve(name + "-sent");
        convert(originals, sent, java.util.Arrays.copyOfRange(tool, 2, tool.length));
        Run run = storescu(scp, List.of(tool[1]), sent);
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).doesNotContain("Unknown Status").doesNotContain("Failed");
        for (Path file :
            sent.toFile().list() == null
                ? List.<Path>of()
                : java.util.Arrays.stream(sent.toFile().listFiles())
                    .map(java.io.File::toPath)
                    .toList()) {
          assertThat(instances(file)).as(name + " " + file.getFileName()).isOne();
        }
        // stored as sent: the blob is the file's bytes behind our own meta group
        org.anatwin.model.SeriesInstanceUid series =
            org.anatwin.ingest.internal.DicomInstance.parse(
                    Files.readAllBytes(originals.getFirst()))
                .seriesInstanceUid();
        org.anatwin.model.Volume stored = ingest.volumeOf(series);
        org.anatwin.model.Volume original = Ingest.volumeFromFolder(work.resolve(name));
        assertThat(stored.geometry()).isEqualTo(original.geometry());
        assertThat(stored.voxels()).as(name).containsExactly(original.voxels());
      }
    }
  }

  @Test
  void aResendInAnotherLosslessSyntaxIsADuplicateAndAChangedPixelInOneIsAConflict()
      throws Exception {
    String name = "resend";
    List<Path> originals =
        new SyntheticSeries(name, 1, 40, 36, 0.7, 3, 1.25, 0, 0, 0)
            .write(work.resolve(name), (x, y, z) -> 700 * Math.cos(y / 4) - 30 * x + 11 * z);
    Path altered = work.resolve(name + "-altered-source");
    Files.createDirectories(altered);
    byte[] bytes = Files.readAllBytes(originals.get(1));
    bytes[bytes.length - 2] ^= 0x01; // the last pixel, one grey value off
    Files.write(altered.resolve(originals.get(1).getFileName()), bytes);
    try (DicomListener scp = listen(1L << 30)) {
      assertThat(storescu(scp, work.resolve(name)).exit()).isZero();
      Map<Path, String> stored = new java.util.HashMap<>();
      for (Path file : originals) {
        stored.put(file.getFileName(), storedHash(file));
      }
      long blobs = blobFiles();
      // name, storescu's proposal option, converter (none: storescu converts between the
      // uncompressed syntaxes itself)
      String[][] resends = {
        {"rle", "-xr", "dcmcrle"},
        {"jpeg-lossless-sv1", "-xs", "dcmcjpeg", "+e1"},
        {"implicit", "-xi"},
        {"big-endian", "-xb"}
      };
      for (String[] resend : resends) {
        Path sent = work.resolve(name + "-" + resend[0]);
        if (resend.length > 2) {
          convert(originals, sent, java.util.Arrays.copyOfRange(resend, 2, resend.length));
        } else {
          sent = work.resolve(name);
        }
        Run run = storescu(scp, List.of(resend[1]), sent);
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
            .as(resend[0])
            .doesNotContain("Unknown Status")
            .doesNotContain("Failed")
            .contains("Received Store Response (Success)");
      }
      for (Path file : originals) {
        assertThat(instances(file)).isOne();
        assertThat(storedHash(file)).isEqualTo(stored.get(file.getFileName()));
      }
      assertThat(
              count(
                  "MATCH (q:Quarantined {sopInstanceUid: $u}) RETURN count(q)",
                  Map.of("u", sopInstanceUid(originals.get(1)))))
          .as("nothing quarantined for a re-send of the same data set")
          .isZero();
      assertThat(blobFiles())
          .as("no blob kept for a re-send (each was written while the graph was asked)")
          .isEqualTo(blobs);

      Path alteredRle = work.resolve(name + "-altered-rle");
      convert(List.of(altered.resolve(originals.get(1).getFileName())), alteredRle, "dcmcrle");
      Run run = storescu(scp, List.of("-xr"), alteredRle);
      assertThat(run.output()).contains("Received Store Response (Unknown Status: 0x111)");
      assertThat(storedHash(originals.get(1)))
          .isEqualTo(stored.get(originals.get(1).getFileName()));
      assertThat(
              count(
                  "MATCH (q:Quarantined {sopInstanceUid: $u}) RETURN count(q)",
                  Map.of("u", sopInstanceUid(originals.get(1)))))
          .as("the altered one is quarantined")
          .isOne();
    }
  }

  @Test
  void aTransferSyntaxWeDoNotDecodeIsRejectedAtAssociation() throws Exception {
    List<Path> originals = series("jpeg-ls-near-lossless", 1);
    Path sent = work.resolve("jpeg-ls-near-lossless-sent");
    convert(originals, sent, "dcmcjpls", "+en");
    try (DicomListener scp = listen(1L << 30)) {
      // storescu proposes CT in near-lossless JPEG-LS (one context) and uncompressed (another)
      Run run = storescu(scp, List.of("-xu", "-d"), sent);
      java.util.regex.Matcher contexts =
          java.util.regex.Pattern.compile(
                  "Context ID: +\\d+ \\(([^)]+)\\)\\s+D: +Abstract Syntax: =CTImageStorage\\s")
              .matcher(run.output().substring(run.output().indexOf("A-ASSOCIATE-AC")));
      List<String> results = new ArrayList<>();
      while (contexts.find()) {
        results.add(contexts.group(1));
      }
      assertThat(results).containsExactly("Transfer Syntaxes Not Supported", "Accepted");
      assertThat(run.output()).contains("Store Failed"); // it cannot decode JPEG-LS itself
    }
    assertThat(instances(sent.resolve(originals.getFirst().getFileName()))).isZero();
  }

  /** An A-ASSOCIATE-RQ proposing Verification in implicit VR little endian (PS3.8 9.3.2). */
  private static byte[] associateRequest(String called, String calling) {
    java.io.ByteArrayOutputStream items = new java.io.ByteArrayOutputStream();
    item(items, 0x10, "1.2.840.10008.3.1.1.1".getBytes(StandardCharsets.US_ASCII));
    java.io.ByteArrayOutputStream context = new java.io.ByteArrayOutputStream();
    context.writeBytes(new byte[] {1, 0, 0, 0});
    item(context, 0x30, "1.2.840.10008.1.1".getBytes(StandardCharsets.US_ASCII));
    item(context, 0x40, "1.2.840.10008.1.2".getBytes(StandardCharsets.US_ASCII));
    item(items, 0x20, context.toByteArray());
    java.io.ByteArrayOutputStream user = new java.io.ByteArrayOutputStream();
    item(user, 0x51, new byte[] {0, 0, 0x40, 0});
    item(user, 0x52, "1.2.826.0.1.3680043.10.99".getBytes(StandardCharsets.US_ASCII));
    item(items, 0x50, user.toByteArray());
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    body.writeBytes(new byte[] {0, 1, 0, 0});
    body.writeBytes(
        String.format("%-16s%-16s", called, calling).getBytes(StandardCharsets.US_ASCII));
    body.writeBytes(new byte[32]);
    body.writeBytes(items.toByteArray());
    return pdu(0x01, body.toByteArray());
  }

  private static void item(java.io.ByteArrayOutputStream out, int type, byte[] value) {
    out.write(type);
    out.write(0);
    out.write(value.length >> 8);
    out.write(value.length);
    out.writeBytes(value);
  }

  private static byte[] pdu(int type, byte[] body) {
    java.nio.ByteBuffer pdu = java.nio.ByteBuffer.allocate(6 + body.length);
    pdu.put((byte) type).put((byte) 0).putInt(body.length).put(body);
    return pdu.array();
  }

  /** Reads one PDU: its type and body. */
  private static byte[] readPdu(java.io.InputStream in) throws Exception {
    byte[] header = in.readNBytes(6);
    assertThat(header).as("a PDU header").hasSize(6);
    int length = java.nio.ByteBuffer.wrap(header, 2, 4).getInt();
    byte[] pdu = java.util.Arrays.copyOf(header, 6 + length);
    System.arraycopy(in.readNBytes(length), 0, pdu, 6, length);
    return pdu;
  }

  @Test
  void aPduLongerThanTheAnnouncedMaximumIsAbortedUnreadAndTheListenerGoesOn() throws Exception {
    try (DicomListener scp = listen(1L << 30)) { // announces 16384
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", scp.port())) {
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(associateRequest(scp.aeTitle(), "RAWSCU"));
        assertThat(readPdu(socket.getInputStream())[0]).as("A-ASSOCIATE-AC").isEqualTo((byte) 2);
        // a P-DATA-TF whose header claims one byte more than announced, and a little of its body
        byte[] over = new byte[6 + 64];
        java.nio.ByteBuffer.wrap(over).put((byte) 4).put((byte) 0).putInt(16384 + 1);
        socket.getOutputStream().write(over);
        byte[] abort = readPdu(socket.getInputStream());
        assertThat(abort)
            .as("A-ABORT, service provider, invalid PDU parameter value")
            .containsExactly(7, 0, 0, 0, 0, 4, 0, 0, 2, 6);
        assertThat(socket.getInputStream().read()).as("then the connection closes").isEqualTo(-1);
      }
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", scp.port())) {
        socket.setSoTimeout(20_000);
        // an association request claiming almost 4 GiB
        socket.getOutputStream().write(new byte[] {1, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0});
        assertThat(readPdu(socket.getInputStream())[0]).as("A-ABORT").isEqualTo((byte) 7);
      }
      Process echo =
          new ProcessBuilder(
                  "echoscu", "-aec", scp.aeTitle(), scp.host(), Integer.toString(scp.port()))
              .redirectErrorStream(true)
              .start();
      String output = new String(echo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(echo.waitFor()).as("the listener still answers: " + output).isZero();
    }
  }
}

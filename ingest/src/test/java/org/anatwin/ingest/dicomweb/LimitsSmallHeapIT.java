package org.anatwin.ingest.dicomweb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.anatwin.ingest.DicomListener;
import org.anatwin.ingest.Ingest;
import org.anatwin.ingest.SyntheticSeries;
import org.anatwin.model.AuditEvent;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * Runs in a JVM with a 256 MiB heap (its own failsafe execution): an object one byte, element or
 * nesting level over each limit is refused with its code, nothing of it is kept, and the same store
 * takes the next object. The size limits are set from a 2048x2048 CT slice of 8 MiB; the element
 * and depth limits from data sets written byte by byte here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LimitsSmallHeapIT {
  @TempDir static Path work;
  private Storage storage;
  private Path big;
  private Path small;
  private Path stow;
  private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();

  @BeforeAll
  void open() {
    assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(256L << 20);
    storage = Storage.open(Storage.Settings.embedded(work.resolve("home")));
    big =
        new SyntheticSeries("limits-big", 1, 2048, 2048, 0.1, 1, 1.0, 0, 0, 0)
            .write(work.resolve("big"), (x, y, z) -> x)
            .getFirst();
    stow =
        new SyntheticSeries("limits-stow", 1, 2048, 2048, 0.1, 1, 1.0, 0, 0, 0)
            .write(work.resolve("stow"), (x, y, z) -> y)
            .getFirst();
    small =
        new SyntheticSeries("limits-small", 1, 16, 16, 0.7, 1, 1.0, 0, 0, 0)
            .write(work.resolve("small"), (x, y, z) -> y)
            .getFirst();
  }

  @AfterAll
  void close() {
    storage.close();
  }

  private Ingest ingest(Ingest.Limits limits) {
    return new Ingest(storage, audit::add, limits, Clock.systemUTC());
  }

  private long instances() {
    return storage
        .graph()
        .read(tx -> tx.run("MATCH (i:Instance) RETURN count(i)").single().get(0).asLong());
  }

  private static String storescu(DicomListener scp, Path file) throws Exception {
    Process process =
        new ProcessBuilder(
                "storescu",
                "-v",
                "-aec",
                scp.aeTitle(),
                scp.host(),
                "" + scp.port(),
                file.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return output;
  }

  @Test
  void cStoreOfAnObjectOneByteOverTheInstanceLimitIsRefused() throws Exception {
    long before = instances();
    // the data set storescu sends is the file less its 132-byte prefix and meta group (< 1 KiB)
    long limit = Files.size(big) - 2048;
    Ingest ingest = ingest(Ingest.Limits.defaults().withMaxInstanceBytes(limit));
    try (DicomListener scp =
        ingest.listen(new DicomListener.Settings("ANATWIN", "127.0.0.1", 0, 16384))) {
      assertThat(storescu(scp, big)).contains("Received Store Response (Refused: OutOfResources)");
      assertThat(instances()).isEqualTo(before);
      assertThat(storescu(scp, small)).contains("Received Store Response (Success)");
      assertThat(instances()).isEqualTo(before + 1);
    }
  }

  @Test
  void anElementOneByteOverTheElementLimitIsRefused() throws Exception {
    byte[] bytes = Files.readAllBytes(big);
    long pixelBytes = 2048L * 2048 * 2;
    Ingest over =
        ingest(
            Ingest.Limits.defaults()
                .withMaxInstanceBytes(64L << 20)
                .withMaxElementBytes(pixelBytes - 1));
    long before = instances();
    var refusal =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> over.receive(bytes, org.anatwin.model.Actor.dicomSender("TEST"), "test"));
    assertThat(refusal)
        .isInstanceOfSatisfying(
            org.anatwin.ingest.IngestException.class,
            e -> assertThat(e.code()).isEqualTo("ingest:file.element-too-long"));
    assertThat(instances()).isEqualTo(before);
    Ingest exact =
        ingest(
            Ingest.Limits.defaults()
                .withMaxInstanceBytes(64L << 20)
                .withMaxElementBytes(pixelBytes));
    assertThat(exact.receive(bytes, org.anatwin.model.Actor.dicomSender("TEST"), "test").outcome())
        .isEqualTo(Ingest.Stored.NEW);
  }

  @Test
  void aStowBodyOneByteOverTheLimitIsRefusedWith413() throws Exception {
    byte[] body = multipart(Files.readAllBytes(stow));
    long before = instances();
    StowEndpoint over =
        new StowEndpoint(ingest(Ingest.Limits.defaults().withMaxStowBytes(body.length - 1)));
    ResponseEntity<String> refused =
        over.store(
            "multipart/related; type=\"application/dicom\"; boundary=b0undary",
            new ByteArrayInputStream(body));
    assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.CONTENT_TOO_LARGE);
    assertThat(refused.getBody()).contains("ingest:stow.too-large");
    assertThat(instances()).isEqualTo(before);
    StowEndpoint exact =
        new StowEndpoint(ingest(Ingest.Limits.defaults().withMaxStowBytes(body.length)));
    ResponseEntity<String> stored =
        exact.store(
            "multipart/related; type=\"application/dicom\"; boundary=b0undary",
            new ByteArrayInputStream(body));
    assertThat(stored.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(audit).anySatisfy(e -> assertThat(e.detail()).startsWith("ingest:stow.too-large"));
    assertThat(Map.of("instances", instances())).containsEntry("instances", before + 1);
  }

  private static byte[] multipart(byte[] dicom) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        "--b0undary\r\nContent-Type: application/dicom\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(dicom);
    out.writeBytes("\r\n--b0undary--\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** Explicit VR little endian: a short-length element. */
  private static void element(
      ByteArrayOutputStream out, int group, int element, String vr, byte[] v) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) group).putShort((short) element);
    b.put(vr.getBytes(StandardCharsets.US_ASCII)).putShort((short) v.length);
    out.writeBytes(b.array());
    out.writeBytes(v);
  }

  /** A sequence (0008,1115) or an item (FFFE,E000) header with its defined length. */
  private static void header(ByteArrayOutputStream out, boolean sequence, int length) {
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(sequence ? 12 : 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    if (sequence) {
      b.putShort((short) 0x0008)
          .putShort((short) 0x1115)
          .put("SQ".getBytes(StandardCharsets.US_ASCII))
          .putShort((short) 0);
    } else {
      b.putShort((short) 0xFFFE).putShort((short) 0xE000);
    }
    b.putInt(length);
    out.writeBytes(b.array());
  }

  private static byte[] uid(String value) {
    byte[] ascii = value.getBytes(StandardCharsets.US_ASCII);
    return ascii.length % 2 == 0 ? ascii : java.util.Arrays.copyOf(ascii, ascii.length + 1);
  }

  /** A CT data set of four UIDs around {@code sequence} (already encoded), as a Part 10 file. */
  private static byte[] part10(String name, byte[] sequence) throws Exception {
    String sop = "1.2.826.0.1.3680043.10.77." + Math.abs(name.hashCode());
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    com.pixelmed.dicom.DicomOutputStream meta =
        new com.pixelmed.dicom.DicomOutputStream(
            file,
            com.pixelmed.dicom.TransferSyntax.ExplicitVRLittleEndian,
            com.pixelmed.dicom.TransferSyntax.ExplicitVRLittleEndian);
    new com.pixelmed.dicom.FileMetaInformation(
            "1.2.840.10008.5.1.4.1.1.2",
            sop,
            com.pixelmed.dicom.TransferSyntax.ExplicitVRLittleEndian,
            "TEST")
        .getAttributeList()
        .write(meta);
    meta.flush();
    element(file, 0x0008, 0x0016, "UI", uid("1.2.840.10008.5.1.4.1.1.2"));
    element(file, 0x0008, 0x0018, "UI", uid(sop));
    file.writeBytes(sequence);
    element(file, 0x0020, 0x000D, "UI", uid(sop + ".1"));
    element(file, 0x0020, 0x000E, "UI", uid(sop + ".2"));
    return file.toByteArray();
  }

  /** One sequence of {@code items} items of one element each: 1 + 2 x items elements. */
  private static byte[] wideSequence(int items) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int i = 0; i < items; i++) {
      header(body, false, 10);
      element(body, 0x0008, 0x0100, "SH", "A ".getBytes(StandardCharsets.US_ASCII));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    header(out, true, body.size());
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  /** Sequences nested {@code levels} deep, one item each, one element in the innermost. */
  private static byte[] deepSequence(int levels) {
    ByteArrayOutputStream inner = new ByteArrayOutputStream();
    element(inner, 0x0008, 0x0100, "SH", "A ".getBytes(StandardCharsets.US_ASCII));
    byte[] content = inner.toByteArray();
    for (int level = 0; level < levels; level++) {
      ByteArrayOutputStream item = new ByteArrayOutputStream();
      header(item, false, content.length);
      item.writeBytes(content);
      ByteArrayOutputStream sequence = new ByteArrayOutputStream();
      header(sequence, true, item.size());
      sequence.writeBytes(item.toByteArray());
      content = sequence.toByteArray();
    }
    return content;
  }

  private static Ingest.Limits limits(int elements, int depth) {
    return new Ingest.Limits(64L << 20, 100_000, elements, 1L << 30, depth, 1L << 31);
  }

  private void refusedThenStoredAtTheLimit(
      byte[] bytes, Ingest.Limits over, Ingest.Limits exact, String code) {
    long before = instances();
    var refusal =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> ingest(over).receive(bytes, org.anatwin.model.Actor.dicomSender("TEST"), "test"));
    assertThat(refusal)
        .isInstanceOfSatisfying(
            org.anatwin.ingest.IngestException.class, e -> assertThat(e.code()).isEqualTo(code));
    assertThat(instances()).isEqualTo(before);
    assertThat(
            ingest(exact)
                .receive(bytes, org.anatwin.model.Actor.dicomSender("TEST"), "test")
                .outcome())
        .isEqualTo(Ingest.Stored.NEW);
    assertThat(instances()).isEqualTo(before + 1);
  }

  @Test
  void aDataSetOneElementOverTheElementLimitIsRefused() throws Exception {
    int items = 100_000;
    byte[] bytes = part10("wide", wideSequence(items));
    int elements = 4 + 1 + 2 * items; // four UIDs, the sequence, each item and its element
    refusedThenStoredAtTheLimit(
        bytes, limits(elements - 1, 12), limits(elements, 12), "ingest:file.too-many-elements");
  }

  @Test
  void sequencesOneLevelDeeperThanTheLimitAreRefused() throws Exception {
    byte[] bytes = part10("deep", deepSequence(12));
    refusedThenStoredAtTheLimit(
        bytes, limits(200_000, 11), limits(200_000, 12), "ingest:file.too-deep");
  }
}

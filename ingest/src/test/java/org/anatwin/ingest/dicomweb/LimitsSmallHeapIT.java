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
 * Runs in a JVM with a 256 MiB heap (its own failsafe execution): an object one byte over each
 * limit is refused with its code, nothing of it is kept, and the same store takes the next object.
 * The limits are set from a 2048x2048 CT slice of 8 MiB.
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
}

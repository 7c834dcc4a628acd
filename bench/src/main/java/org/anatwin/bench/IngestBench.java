package org.anatwin.bench;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
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
import java.time.Clock;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.anatwin.audit.AuditLog;
import org.anatwin.ingest.DicomListener;
import org.anatwin.ingest.Ingest;
import org.anatwin.storage.Storage;

/**
 * C-STORE ingest: {@code storescu} sends N synthetic 512x512 CT slices in one association to our
 * SCP (durable: blob fsync, graph commit, then the response) and to Orthanc (Debian, fsync on),
 * each started fresh on an empty store every round, rounds interleaved. Metric: instances per
 * second, wall clock of {@code storescu}; both stores are checked to hold all N afterwards.
 */
final class IngestBench {
  private static final int SLICES = Integer.getInteger("anatwin.bench.slices", 500);
  private static final String ORTHANC =
      System.getProperty("anatwin.bench.orthanc", "/usr/sbin/Orthanc");
  private final int runs;
  private final Path work;

  IngestBench(int runs) throws IOException {
    this.runs = Math.max(5, runs);
    this.work =
        Path.of(System.getProperty("anatwin.bench.work", "target/bench-work")).toAbsolutePath();
    Files.createDirectories(work);
  }

  void run() throws Exception {
    Path series = writeSeries(work.resolve("ct-" + SLICES));
    double[] ours = new double[runs];
    double[] orthanc = new double[runs];
    for (int r = 0; r < runs; r++) {
      ours[r] = ours(series, r);
      orthanc[r] = orthanc(series, r);
      System.err.printf(
          Locale.ROOT, "round %d: ours %.1f/s, orthanc %.1f/s%n", r + 1, ours[r], orthanc[r]);
    }
    double o = Benchmarks.median(ours);
    double p = Benchmarks.median(orthanc);
    System.out.printf(
        Locale.ROOT,
        "{\"bench\":\"ingest\",\"metric\":\"instances_per_s\",\"ours\":%.1f,\"peer\":\"orthanc\",\"peer_value\":%.1f,\"ratio\":%.3f,\"target\":2.0,\"runs\":%d}%n",
        o,
        p,
        o / p,
        runs);
  }

  /** N slices of a noisy ellipse phantom, 512x512, explicit VR little endian, fixed UIDs. */
  private static Path writeSeries(Path dir) throws Exception {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        if (files.count() == SLICES) {
          return dir;
        }
      }
    }
    Files.createDirectories(dir);
    Random random = new Random(42);
    String root = "2.25.9" + Math.abs(dir.toString().hashCode());
    for (int k = 0; k < SLICES; k++) {
      short[] pixels = new short[512 * 512];
      for (int j = 0; j < 512; j++) {
        for (int i = 0; i < 512; i++) {
          double x = (i - 256) / 200.0;
          double y = (j - 256) / 160.0;
          int hu = x * x + y * y < 1 ? 40 : -1000;
          pixels[i + 512 * j] = (short) (hu + 1024 + random.nextInt(20));
        }
      }
      AttributeList list = new AttributeList();
      put(list, TagFromName.SOPClassUID, SOPClass.CTImageStorage);
      put(list, TagFromName.SOPInstanceUID, root + ".1." + (k + 1));
      put(list, TagFromName.StudyInstanceUID, root + ".2");
      put(list, TagFromName.SeriesInstanceUID, root + ".3");
      put(list, TagFromName.FrameOfReferenceUID, root + ".4");
      put(list, TagFromName.PatientID, "BENCH");
      put(list, TagFromName.PatientName, "Bench^Ingest");
      put(list, TagFromName.Modality, "CT");
      put(list, TagFromName.InstanceNumber, Integer.toString(k + 1));
      put(
          list,
          TagFromName.ImagePositionPatient,
          "-179.2",
          "-179.2",
          String.format(Locale.ROOT, "%.1f", k * 1.0));
      put(list, TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "1", "0");
      put(list, TagFromName.PixelSpacing, "0.7", "0.7");
      put(list, TagFromName.Rows, "512");
      put(list, TagFromName.Columns, "512");
      put(list, TagFromName.SamplesPerPixel, "1");
      put(list, TagFromName.PhotometricInterpretation, "MONOCHROME2");
      put(list, TagFromName.BitsAllocated, "16");
      put(list, TagFromName.BitsStored, "16");
      put(list, TagFromName.HighBit, "15");
      put(list, TagFromName.PixelRepresentation, "0");
      put(list, TagFromName.RescaleIntercept, "-1024");
      put(list, TagFromName.RescaleSlope, "1");
      OtherWordAttribute data = new OtherWordAttribute(TagFromName.PixelData);
      data.setValues(pixels);
      list.put(data);
      FileMetaInformation.addFileMetaInformation(
          list, TransferSyntax.ExplicitVRLittleEndian, "ANATWIN");
      list.write(
          dir.resolve(String.format(Locale.ROOT, "CT%04d.dcm", k + 1)).toFile(),
          TransferSyntax.ExplicitVRLittleEndian,
          true,
          true);
    }
    return dir;
  }

  private static void put(AttributeList list, AttributeTag tag, String... values) throws Exception {
    var attribute = list.putNewAttribute(tag);
    for (String v : values) {
      attribute.addValue(v);
    }
  }

  /** Our SCP on a fresh store: embedded Neo4j and blob store in a new folder. */
  private double ours(Path series, int round) throws Exception {
    Path home = Files.createTempDirectory(work, "ours-");
    try (Storage storage = Storage.open(Storage.Settings.embedded(home))) {
      Ingest ingest =
          new Ingest(storage, new AuditLog(storage), Ingest.Limits.defaults(), Clock.systemUTC());
      try (DicomListener scp =
          ingest.listen(
              new DicomListener.Settings(
                  "ANATWIN", "127.0.0.1", 0, 262144, home.resolve("spool")))) {
        double rate = storescu(series, scp.port(), "ANATWIN");
        long stored =
            storage
                .graph()
                .read(tx -> tx.run("MATCH (i:Instance) RETURN count(i)").single().get(0).asLong());
        check("ours", stored);
        return rate;
      }
    } finally {
      delete(home);
    }
  }

  /** Orthanc 1.10 (Debian) on a fresh store with SyncStorageArea on. */
  private double orthanc(Path series, int round) throws Exception {
    Path home = Files.createTempDirectory(work, "orthanc-");
    int dicomPort = freePort();
    int httpPort = freePort();
    Path config = home.resolve("orthanc.json");
    Files.writeString(
        config,
        """
        {"Name": "bench", "StorageDirectory": "%s", "IndexDirectory": "%s",
         "DicomAet": "ORTHANC", "DicomPort": %d, "HttpPort": %d, "RemoteAccessAllowed": false,
         "AuthenticationEnabled": false, "SyncStorageArea": true, "DicomCheckCalledAet": false,
         "DicomAlwaysAllowStore": true, "UnknownSopClassAccepted": true, "HttpServerEnabled": true}
        """
            .formatted(home.resolve("store"), home.resolve("index"), dicomPort, httpPort),
        StandardCharsets.UTF_8);
    ProcessBuilder builder =
        new ProcessBuilder(ORTHANC, config.toString())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("orthanc.log").toFile());
    builder.environment().put("TCP_NODELAY", "1");
    Process orthanc = builder.start();
    try {
      waitForEcho(dicomPort, "ORTHANC");
      double rate = storescu(series, dicomPort, "ORTHANC");
      String stats =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/statistics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      long stored =
          Long.parseLong(stats.replaceAll("(?s).*\"CountInstances\"\\s*:\\s*(\\d+).*", "$1"));
      check("orthanc", stored);
      return rate;
    } finally {
      orthanc.destroy();
      if (!orthanc.waitFor(20, TimeUnit.SECONDS)) {
        orthanc.destroyForcibly().waitFor();
      }
      delete(home);
    }
  }

  private static void check(String who, long stored) {
    if (stored != SLICES) {
      throw new IllegalStateException(
          who + " holds " + stored + " instances after the run, not " + SLICES);
    }
  }

  private static double storescu(Path series, int port, String aet) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                "storescu",
                "-aet",
                "PERFSCU",
                "-aec",
                aet,
                "+sd",
                "127.0.0.1",
                Integer.toString(port),
                series.toString())
            .redirectErrorStream(true);
    builder.environment().put("TCP_NODELAY", "1");
    long start = System.nanoTime();
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (exit != 0) {
      throw new IllegalStateException("storescu to " + aet + " failed (" + exit + "): " + output);
    }
    return SLICES / seconds;
  }

  private static void waitForEcho(int port, String aet) throws Exception {
    for (int attempt = 0; attempt < 100; attempt++) {
      Process echo =
          new ProcessBuilder("echoscu", "-aec", aet, "127.0.0.1", Integer.toString(port))
              .redirectErrorStream(true)
              .start();
      echo.getInputStream().readAllBytes();
      if (echo.waitFor() == 0) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(aet + " did not answer C-ECHO on port " + port);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

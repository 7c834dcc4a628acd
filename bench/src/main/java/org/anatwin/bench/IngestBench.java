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
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.anatwin.audit.AuditLog;
import org.anatwin.ingest.DicomListener;
import org.anatwin.ingest.Ingest;
import org.anatwin.ingest.SyntheticSeries;
import org.anatwin.model.Actor;
import org.anatwin.storage.Storage;

/**
 * C-STORE ingest: {@code storescu} sends N synthetic 512x512 CT slices in one association to our
 * SCP (durable: blob fsync, graph commit, then the response) and to Orthanc (Debian, fsync on),
 * each started fresh on an empty store every round, rounds interleaved. Metric: instances per
 * second, wall clock of {@code storescu}; both stores are checked to hold all N afterwards.
 */
final class IngestBench {
  private static final int SLICES = Integer.getInteger("anatwin.bench.slices", 500);

  /** Rounds run first and not counted: our JVM compiles its hot paths, as in a running service. */
  private static final int WARMUP = Integer.getInteger("anatwin.bench.warmup", 2);

  /** Parallel associations, each sending its share of the slices (storescu processes). */
  private static final int ASSOCIATIONS = Integer.getInteger("anatwin.bench.associations", 1);

  /**
   * Whether each round first stores one instance of another series (not timed, not counted) so that
   * the new database has planned our Cypher statements, as a running service has: a fresh Neo4j
   * parses and plans every statement on first use (measured at a fifth of the CPU of a
   * four-association round). Set false to time a cold database.
   */
  private static final boolean WARM_PLANS =
      Boolean.parseBoolean(System.getProperty("anatwin.bench.warm-plans", "true"));

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
    List<Path> series = split(writeSeries(work.resolve("ct-" + SLICES)));
    double[] ours = new double[runs];
    double[] orthanc = new double[runs];
    for (int w = 0; w < WARMUP; w++) {
      System.err.printf(
          Locale.ROOT,
          "warm-up %d (not counted): ours %.1f/s, orthanc %.1f/s%n",
          w + 1,
          ours(series, -1 - w),
          orthanc(series, -1 - w));
    }
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
        "{\"bench\":\"%s\",\"metric\":\"instances_per_s\",\"ours\":%.1f,\"peer\":\"orthanc\",\"peer_value\":%.1f,\"ratio\":%.3f,\"target\":2.0,\"associations\":%d,\"target_ours\":%s,\"runs\":%d}%n",
        ASSOCIATIONS == 1 ? "ingest" : "ingest-" + ASSOCIATIONS + "-associations",
        o,
        p,
        o / p,
        ASSOCIATIONS,
        ASSOCIATIONS >= 4 ? "400" : "null",
        runs);
  }

  /** N slices of a noisy ellipse phantom, 512x512, written once and reused. */
  private static Path writeSeries(Path dir) throws Exception {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        if (files.count() == SLICES) {
          return dir;
        }
      }
    }
    new SyntheticSeries("bench-ingest-" + SLICES, 1, 512, 512, 0.7, SLICES, 1.0, -179.2, -179.2, 0)
        .write(
            dir,
            (x, y, z) -> {
              double ex = x / 140.0;
              double ey = y / 112.0;
              int noise = Math.floorMod(Double.hashCode(x * 31 + y * 17 + z), 20);
              return (ex * ex + ey * ey < 1 ? 40 : -1000) + noise;
            });
    return dir;
  }

  /**
   * The series in {@link #ASSOCIATIONS} folders of hard links, slice k in folder k mod N, one
   * storescu (one association) per folder.
   */
  private static List<Path> split(Path series) throws Exception {
    if (ASSOCIATIONS == 1) {
      return List.of(series);
    }
    Path root = series.resolveSibling(series.getFileName() + "-split-" + ASSOCIATIONS);
    if (Files.exists(root)) {
      delete(root);
    }
    List<Path> parts = new java.util.ArrayList<>();
    for (int k = 0; k < ASSOCIATIONS; k++) {
      parts.add(Files.createDirectories(root.resolve("part-" + k)));
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(series)) {
      files = list.sorted().toList();
    }
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      Files.createLink(parts.get(i % ASSOCIATIONS).resolve(file.getFileName()), file);
    }
    return parts;
  }

  /** Our SCP on a fresh store: embedded Neo4j and blob store in a new folder. */
  private double ours(List<Path> series, int round) throws Exception {
    Path home = Files.createTempDirectory(work, "ours-");
    try (Storage storage = Storage.open(Storage.Settings.embedded(home))) {
      Ingest ingest =
          new Ingest(
              storage,
              new AuditLog(
                  storage,
                  new org.anatwin.audit.FileCheckpoints(home.resolve("audit")),
                  Clock.systemUTC()),
              Ingest.Limits.defaults(),
              Clock.systemUTC());
      if (WARM_PLANS) {
        ingest.receive(Files.readAllBytes(primer()), Actor.dicomSender("PRIMER"), "primer");
      }
      try (DicomListener scp =
          ingest.listen(new DicomListener.Settings("ANATWIN", "127.0.0.1", 0, 262144))) {
        double rate = storescu(series, scp.port(), "ANATWIN");
        long stored =
            storage
                .graph()
                .read(tx -> tx.run("MATCH (i:Instance) RETURN count(i)").single().get(0).asLong());
        check("ours", stored - (WARM_PLANS ? 1 : 0));
        return rate;
      }
    } finally {
      delete(home);
    }
  }

  /** One slice of another series and patient, written once. */
  private Path primer() {
    Path dir = work.resolve("ingest-primer");
    if (!Files.isDirectory(dir)) {
      new SyntheticSeries("bench-ingest-primer", 1, 64, 64, 0.7, 1, 1.0, 0, 0, 0)
          .write(dir, (x, y, z) -> x);
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.findFirst().orElseThrow();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Orthanc 1.10 (Debian) on a fresh store with SyncStorageArea on. */
  private double orthanc(List<Path> series, int round) throws Exception {
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

  /** One storescu per folder, all at once; the rate over the wall clock until the last ends. */
  private static double storescu(List<Path> series, int port, String aet) throws Exception {
    List<Process> processes = new java.util.ArrayList<>();
    long start = System.nanoTime();
    for (Path folder : series) {
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
                  folder.toString())
              .redirectErrorStream(true);
      builder.environment().put("TCP_NODELAY", "1");
      processes.add(builder.start());
    }
    List<java.util.concurrent.CompletableFuture<String>> outputs = new java.util.ArrayList<>();
    for (Process process : processes) {
      outputs.add(
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return new String(
                      process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              }));
    }
    for (int i = 0; i < processes.size(); i++) {
      int exit = processes.get(i).waitFor();
      String output = outputs.get(i).join();
      if (exit != 0) {
        throw new IllegalStateException("storescu to " + aet + " failed (" + exit + "): " + output);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
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

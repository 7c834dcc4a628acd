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
import org.anatwin.storage.Storage;

/**
 * C-STORE ingest: {@code storescu} sends N synthetic 512x512 CT slices to our SCP (durable: blob
 * fsync, graph commit, then the response) and to Orthanc (Debian, fsync on, started fresh on an
 * empty store every round), rounds interleaved. Every round sends a series of its own (new UIDs),
 * the same one to both. Our SCP is one running service for the whole benchmark, as in a hospital,
 * so each round's instances are all new to it; {@code -Danatwin.bench.fresh-service=true} opens a
 * new database and listener every round instead (its statements planned and its generated code
 * compiled again each time). Metric: instances per second, wall clock of {@code storescu}; both
 * stores are checked to hold the round's N afterwards.
 */
final class IngestBench {
  private static final int SLICES = Integer.getInteger("anatwin.bench.slices", 500);

  /**
   * Rounds run first and not counted: our JVM compiles its hot paths and Neo4j re-plans our
   * statements as the store grows from empty, as a service in use has long done (rounds still rose
   * after four).
   */
  private static final int WARMUP = Integer.getInteger("anatwin.bench.warmup", 5);

  /** Parallel associations, each sending its share of the slices (storescu processes). */
  private static final int ASSOCIATIONS = Integer.getInteger("anatwin.bench.associations", 1);

  /**
   * Whether our SCP is opened anew for every round (a new database: Neo4j parses and plans our
   * statements and the JIT compiles the code it generates for them again, a fifth to a third of a
   * round's CPU) rather than being one service that keeps running.
   */
  private static final boolean FRESH_SERVICE = Boolean.getBoolean("anatwin.bench.fresh-service");

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
    double[] ours = new double[runs];
    double[] orthanc = new double[runs];
    try (Service service = FRESH_SERVICE ? null : Service.open(work)) {
      for (int w = 0; w < WARMUP; w++) {
        List<Path> series = series(w);
        System.err.printf(
            Locale.ROOT,
            "warm-up %d (not counted): ours %.1f/s, orthanc %.1f/s%n",
            w + 1,
            ours(service, series, -1 - w),
            orthanc(series, -1 - w));
      }
      for (int r = 0; r < runs; r++) {
        List<Path> series = series(WARMUP + r);
        ours[r] = ours(service, series, r);
        orthanc[r] = orthanc(series, r);
        System.err.printf(
            Locale.ROOT, "round %d: ours %.1f/s, orthanc %.1f/s%n", r + 1, ours[r], orthanc[r]);
      }
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

  /** Round k's series (its own UIDs), split over the associations. */
  private List<Path> series(int k) throws Exception {
    return split(
        writeSeries(work.resolve("ct-" + SLICES + "-" + k), "bench-ingest-" + SLICES + "-" + k));
  }

  /** N slices of a noisy ellipse phantom, 512x512, written once and reused. */
  private static Path writeSeries(Path dir, String name) throws Exception {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        if (files.count() == SLICES) {
          return dir;
        }
      }
    }
    new SyntheticSeries(name, 1, 512, 512, 0.7, SLICES, 1.0, -179.2, -179.2, 0)
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

  /** Our SCP: a store, its ingest and a loopback listener. */
  private record Service(Path home, Storage storage, DicomListener scp) implements AutoCloseable {
    static Service open(Path work) throws IOException {
      Path home = Files.createTempDirectory(work, "ours-");
      Storage storage = Storage.open(Storage.Settings.embedded(home));
      Ingest ingest =
          new Ingest(
              storage,
              new AuditLog(
                  storage,
                  new org.anatwin.audit.FileCheckpoints(home.resolve("audit")),
                  Clock.systemUTC()),
              Ingest.Limits.defaults(),
              Clock.systemUTC());
      return new Service(
          home,
          storage,
          ingest.listen(new DicomListener.Settings("ANATWIN", "127.0.0.1", 0, 262144)));
    }

    long instances() {
      return storage
          .graph()
          .read(tx -> tx.run("MATCH (i:Instance) RETURN count(i)").single().get(0).asLong());
    }

    @Override
    public void close() throws IOException {
      try (storage) {
        scp.close();
      } finally {
        delete(home);
      }
    }
  }

  /** One round into the running service, or into a fresh one when there is none. */
  private double ours(Service running, List<Path> series, int round) throws Exception {
    try (Service fresh = running == null ? Service.open(work) : null) {
      Service service = running == null ? fresh : running;
      long before = service.instances();
      double rate = recorded(round, () -> storescu(series, service.scp().port(), "ANATWIN"));
      check("ours", service.instances() - before);
      return rate;
    }
  }

  /**
   * With {@code -Danatwin.bench.jfr=DIR}, a flight recording (profile settings) of the timed send
   * alone, one file per round; the setup of the round stays out of it.
   */
  private static double recorded(int round, java.util.concurrent.Callable<Double> timed)
      throws Exception {
    String dir = System.getProperty("anatwin.bench.jfr");
    if (dir == null) {
      return timed.call();
    }
    try (jdk.jfr.Recording recording =
        new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
      // CPU-time sampling (JDK 25, Linux) sees every thread that burns CPU, not only those in Java.
      recording.enable("jdk.CPUTimeSample").with("throttle", "1ms");
      recording.start();
      double rate = timed.call();
      recording.stop();
      recording.dump(Files.createDirectories(Path.of(dir)).resolve("ingest-" + round + ".jfr"));
      return rate;
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

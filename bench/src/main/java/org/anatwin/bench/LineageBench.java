package org.anatwin.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.anatwin.audit.AuditLog;
import org.anatwin.bench.persistence.LineageGraphWriter;
import org.anatwin.bench.persistence.PeerLineage;
import org.anatwin.model.AuditEvent;
import org.anatwin.storage.Storage;

/**
 * Lineage queries on a graph of about a million nodes shaped like real use: 1,700 patients with two
 * CT series of 140 instances (the phantom's size), each instance received by an activity, and per
 * series the volume, label map, mesh, version, review, order, approval, preparation and printed
 * artefact with their activities (about 300 nodes per series). Written once into an embedded store,
 * which the service (the application jar, its own process) then opens. Ours: {@code lineage}
 * through GraphQL over HTTP with a quality officer's token, upstream from a random artefact (every
 * node with its properties and every edge, about 300 nodes) and downstream from a random instance;
 * the service meanwhile serves a steady background load of the same queries (20 per second). Peer:
 * the same walks as one Cypher statement each over Bolt to the same database, no HTTP, GraphQL or
 * authorization. Rounds interleave ours and the peer query by query; each round's p50 and p99 in
 * ms, the median over rounds reported. Audit append throughput (one writer and four) is measured on
 * the store before the service starts.
 */
final class LineageBench {
  private static final int PATIENTS = Integer.getInteger("anatwin.bench.patients", 1700);
  private static final int SERIES = 2;
  private static final int INSTANCES = 140;
  private static final int QUERIES = Integer.getInteger("anatwin.bench.queries", 200);
  private static final String UPSTREAM =
      """
      query($of: ID!) { lineage(of: $of, direction: UPSTREAM) {
        nodes { id kind label properties { name value } } edges { from to relation } } }""";
  private static final String DOWNSTREAM =
      """
      query($of: ID!) { lineage(of: $of, direction: DOWNSTREAM) {
        nodes { id kind label properties { name value } } edges { from to relation } } }""";

  private final int runs;
  private final Path work;
  private final Path root;

  LineageBench(int runs) throws IOException {
    this.runs = Math.max(5, runs);
    this.work =
        Path.of(System.getProperty("anatwin.bench.work", "target/bench-work")).toAbsolutePath();
    this.root = work.resolve("../../..").normalize();
    Files.createDirectories(work);
  }

  void run() throws Exception {
    Path home = work.resolve("lineage-" + PATIENTS);
    Path made = home.resolve("generated.txt");
    if (!Files.exists(made)) {
      generate(home, made);
    }
    List<String> facts = Files.readAllLines(made);
    System.err.println("graph: " + String.join(", ", facts));
    try (ServiceProcess service =
        ServiceProcess.start(
            root, home, work.resolve("lineage-service.log"), "--anatwin.demo=false")) {
      String token = service.token("quality");
      try (Storage peerStore = service.peerStore(work)) {
        measure(service, token, new PeerLineage(peerStore.graph()), facts);
      }
    }
  }

  private void measure(ServiceProcess service, String token, PeerLineage peer, List<String> facts)
      throws Exception {
    Random random = new Random(20261128);
    // warm-up, not counted: both paths compile and the page cache fills
    for (int i = 0; i < 100; i++) {
      ours(service, token, UPSTREAM, artefact(random), 100);
      ours(service, token, DOWNSTREAM, instance(random), 5);
      peer.walk(artefact(random), true);
      peer.walk(instance(random), false);
    }
    AtomicBoolean loading = new AtomicBoolean(true);
    AtomicLong background = new AtomicLong();
    Thread load =
        Thread.ofVirtual()
            .start(
                () -> {
                  Random r = new Random(7);
                  long next = System.nanoTime();
                  while (loading.get()) {
                    try {
                      boolean up = r.nextBoolean();
                      ours(
                          service,
                          token,
                          up ? UPSTREAM : DOWNSTREAM,
                          up ? artefact(r) : instance(r),
                          1);
                      background.incrementAndGet();
                      next += 50_000_000L;
                      long wait = next - System.nanoTime();
                      if (wait > 0) {
                        Thread.sleep(Duration.ofNanos(wait));
                      }
                    } catch (Exception e) {
                      return;
                    }
                  }
                });
    double[][] round = new double[8][runs];
    long started = System.nanoTime();
    try {
      for (int run = 0; run < runs; run++) {
        double[][] t = new double[4][QUERIES];
        for (int q = 0; q < QUERIES; q++) {
          String a = artefact(random);
          String i = instance(random);
          t[0][q] = timed(() -> ours(service, token, UPSTREAM, a, 100));
          t[1][q] = timed(() -> peer.walk(a, true));
          t[2][q] = timed(() -> ours(service, token, DOWNSTREAM, i, 5));
          t[3][q] = timed(() -> peer.walk(i, false));
        }
        for (int k = 0; k < 4; k++) {
          round[2 * k][run] = Benchmarks.percentile(t[k], 50);
          round[2 * k + 1][run] = Benchmarks.percentile(t[k], 99);
        }
        System.err.printf(
            Locale.ROOT,
            "round %d: upstream ours p50 %.2f p99 %.2f ms, peer p50 %.2f p99 %.2f; downstream ours p50 %.2f p99 %.2f, peer p50 %.2f p99 %.2f%n",
            run + 1,
            round[0][run],
            round[1][run],
            round[2][run],
            round[3][run],
            round[4][run],
            round[5][run],
            round[6][run],
            round[7][run]);
      }
    } finally {
      loading.set(false);
      load.join();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    double[] m = new double[8];
    for (int k = 0; k < 8; k++) {
      m[k] = Benchmarks.median(round[k]);
    }
    String appends = facts.stream().filter(f -> f.startsWith("audit")).findFirst().orElse("");
    System.err.printf(
        Locale.ROOT, "background load: %.1f queries/s; %s%n", background.get() / seconds, appends);
    System.out.printf(
        Locale.ROOT,
        "{\"bench\":\"lineage\",\"metric\":\"upstream_p50_ms\",\"ours\":%.2f,\"peer\":\"neo4j-cypher-bolt\",\"peer_value\":%.2f,\"ratio\":%.3f,\"target\":5,"
            + "\"upstream_p99_ms\":%.2f,\"downstream_p50_ms\":%.2f,\"downstream_p99_ms\":%.2f,\"peer_downstream_p50_ms\":%.2f,"
            + "\"audit_appends_per_s\":%s,\"nodes\":%s,\"runs\":%d}%n",
        m[0],
        m[2],
        m[0] / m[2],
        m[1],
        m[4],
        m[5],
        m[6],
        value(facts, "audit_appends_per_s"),
        value(facts, "nodes"),
        runs);
  }

  private static String value(List<String> facts, String key) {
    return facts.stream()
        .filter(f -> f.startsWith(key + "="))
        .map(f -> f.substring(key.length() + 1))
        .findFirst()
        .orElse("null");
  }

  private static String artefact(Random r) {
    return "artefact-bench-" + r.nextInt(PATIENTS) + "." + r.nextInt(SERIES);
  }

  private static String instance(Random r) {
    return "instance:2.25.3."
        + r.nextInt(PATIENTS)
        + "."
        + r.nextInt(SERIES)
        + "."
        + r.nextInt(INSTANCES);
  }

  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  private static double timed(Work work) throws Exception {
    long t = System.nanoTime();
    work.run();
    return (System.nanoTime() - t) / 1e6;
  }

  /** One lineage query; checks it answered with at least {@code nodes} nodes. */
  private static void ours(ServiceProcess service, String token, String query, String of, int nodes)
      throws Exception {
    String body = service.post(token, query, "of", of);
    int found = body.split("\"kind\"", -1).length - 1;
    if (found < nodes) {
      throw new IllegalStateException("lineage of " + of + " answered: " + body);
    }
  }

  /** Writes the graph and measures audit appends on it; the facts go to {@code made}. */
  private void generate(Path home, Path made) throws Exception {
    if (Files.exists(home)) {
      try (var files = Files.walk(home)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(home);
    try (Storage storage = Storage.open(Storage.Settings.embedded(home))) {
      LineageGraphWriter writer = new LineageGraphWriter(storage.graph());
      writer.agents();
      String hash = "ab".repeat(32);
      String time = Instant.parse("2026-11-28T08:00:00Z").toString();
      long t = System.nanoTime();
      for (int p = 0; p < PATIENTS; p++) {
        writer.patient(p, SERIES, INSTANCES, hash, time);
        if ((p + 1) % 200 == 0) {
          System.err.printf(
              Locale.ROOT,
              "generated %d of %d patients (%.0f s)%n",
              p + 1,
              PATIENTS,
              (System.nanoTime() - t) / 1e9);
        }
      }
      long nodes = writer.nodes();
      AuditLog audit =
          new AuditLog(
              storage,
              new org.anatwin.audit.FileCheckpoints(home.resolve("audit")),
              Clock.systemUTC());
      double one = appends(audit, 1, 2000);
      double four = appends(audit, 4, 1000);
      Files.write(
          made,
          List.of(
              "nodes=" + nodes,
              String.format(Locale.ROOT, "audit_appends_per_s=%.0f", one),
              String.format(
                  Locale.ROOT,
                  "audit appends: %.0f/s with one writer, %.0f/s with four",
                  one,
                  four)));
    }
  }

  /** Events per second appended by {@code writers} threads, {@code each} events apiece. */
  private static double appends(AuditLog audit, int writers, int each) throws Exception {
    List<Thread> threads = new ArrayList<>();
    long t = System.nanoTime();
    for (int w = 0; w < writers; w++) {
      int id = w;
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < each; i++) {
                      audit.append(
                          new AuditEvent(
                              Instant.now(),
                              "bench-" + id,
                              "quality",
                              "audit.read",
                              AuditEvent.Outcome.SUCCESS,
                              List.of("artefact-bench-" + i),
                              "bench append " + i));
                    }
                  }));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    return writers * each / ((System.nanoTime() - t) / 1e9);
  }
}

package org.anatwin.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.anatwin.bench.persistence.PeerTwin;
import org.anatwin.storage.Storage;

/**
 * A mixed read load on the service, as planners make it: on the demo data (the phantom patient's
 * twin with its bone mesh, built at first start), closed-loop clients on loopback send 60 % twin
 * queries (the twin, its patient, versions, structures, meshes with QA), 20 % upstream lineage of
 * the mesh and 20 % patient searches, each with a planner's token, for a few seconds per round.
 * Peer: the twin query's data read as one Cypher statement over Bolt by the same number of clients
 * (no HTTP, GraphQL, authorization, PHI audit). Rounds interleave ours and the peer; the median
 * over rounds of each round's throughput and p50/p99 is reported. Load generator and service share
 * the machine's cores.
 */
final class ApiBench {
  private static final int CLIENTS = Integer.getInteger("anatwin.bench.clients", 8);
  private static final long ROUND_NANOS =
      Long.getLong("anatwin.bench.round-seconds", 5) * 1_000_000_000L;

  /** Load before the rounds, not counted: the service's JIT needs tens of seconds of it. */
  private static final long WARMUP_NANOS =
      Long.getLong("anatwin.bench.warmup-seconds", 90) * 1_000_000_000L;

  /** The twin query alone instead of the mix ({@code -Danatwin.bench.twin-only=true}). */
  private static final boolean TWIN_ONLY = Boolean.getBoolean("anatwin.bench.twin-only");

  private static final String TWIN =
      """
      query($id: ID!) { twin(id: $id) { id patient { pseudonym name }
        versions(first: 5) { nodes { number structures { name
          mesh { id triangleCount volume qa { watertight shells } } } } } } }""";
  private static final String LINEAGE =
      """
      query($of: ID!) { lineage(of: $of, direction: UPSTREAM) {
        nodes { id kind label } edges { from to relation } } }""";
  private static final String SEARCH =
      "query($s: String!) { patients(search: $s, first: 10) { edges { node { id pseudonym name } } } }";

  private final int runs;
  private final Path work;
  private final Path root;

  ApiBench(int runs) throws java.io.IOException {
    this.runs = Math.max(5, runs);
    this.work =
        Path.of(System.getProperty("anatwin.bench.work", "target/bench-work")).toAbsolutePath();
    this.root = work.resolve("../../..").normalize();
    Files.createDirectories(work);
  }

  /** What one side measured in a round. */
  record Round(
      double perSecond, double twinP50, double twinP99, double lineageP50, double searchP50) {}

  void run() throws Exception {
    Path home = work.resolve("api-home");
    try (ServiceProcess service =
        ServiceProcess.start(root, home, work.resolve("api-service.log"), "--anatwin.demo=true")) {
      String token = service.token("planner");
      String twins = awaitTwin(service, token);
      String twin = field(twins, "id");
      String mesh =
          field(service.post(token, TWIN, "id", twin).replaceFirst(".*\"mesh\":", ""), "id");
      String pseudonym = field(service.post(token, TWIN, "id", twin), "pseudonym");
      try (Storage peerStore = service.peerStore(work)) {
        PeerTwin peer = new PeerTwin(peerStore.graph());
        List<Ask> ours =
            List.of(
                    new Ask("twin", 6, () -> service.post(token, TWIN, "id", twin)),
                    new Ask("lineage", 2, () -> service.post(token, LINEAGE, "of", mesh)),
                    new Ask("search", 2, () -> service.post(token, SEARCH, "s", pseudonym)))
                .stream()
                .filter(a -> !TWIN_ONLY || a.name().equals("twin"))
                .toList();
        List<Ask> theirs = List.of(new Ask("twin", 1, () -> peer.twin(twin)));
        // warm-up, not counted
        load(ours, WARMUP_NANOS);
        load(theirs, WARMUP_NANOS / 4);
        double[][] o = new double[5][runs];
        double[][] p = new double[5][runs];
        for (int run = 0; run < runs; run++) {
          Round a = load(ours, ROUND_NANOS);
          Round b = load(theirs, ROUND_NANOS);
          put(o, run, a);
          put(p, run, b);
          System.err.printf(
              Locale.ROOT,
              "round %d: ours %.0f req/s, twin p50 %.2f p99 %.2f ms, lineage p50 %.2f, search p50 %.2f;"
                  + " peer %.0f twin reads/s, p50 %.2f p99 %.2f ms%n",
              run + 1,
              a.perSecond(),
              a.twinP50(),
              a.twinP99(),
              a.lineageP50(),
              a.searchP50(),
              b.perSecond(),
              b.twinP50(),
              b.twinP99());
        }
        double[] m = new double[5];
        double[] n = new double[5];
        for (int k = 0; k < 5; k++) {
          m[k] = Benchmarks.median(o[k]);
          n[k] = Benchmarks.median(p[k]);
        }
        System.out.printf(
            Locale.ROOT,
            "{\"bench\":\"api\",\"metric\":\"twin_p99_ms\",\"ours\":%.2f,\"peer\":\"neo4j-cypher-bolt\",\"peer_value\":%.2f,\"ratio\":%.3f,\"target\":50,"
                + "\"throughput_rps\":%.0f,\"throughput_target_rps\":1000,\"twin_p50_ms\":%.2f,\"lineage_p50_ms\":%s,\"search_p50_ms\":%s,\"twin_only\":%b,"
                + "\"peer_reads_per_s\":%.0f,\"peer_p50_ms\":%.2f,\"clients\":%d,\"runs\":%d}%n",
            m[2],
            n[2],
            m[2] / n[2],
            m[0],
            m[1],
            json(m[3]),
            json(m[4]),
            TWIN_ONLY,
            n[0],
            n[1],
            CLIENTS,
            runs);
      }
    }
  }

  private static void put(double[][] into, int run, Round r) {
    into[0][run] = r.perSecond();
    into[1][run] = r.twinP50();
    into[2][run] = r.twinP99();
    into[3][run] = r.lineageP50();
    into[4][run] = r.searchP50();
  }

  /** A kind of request with its weight in the mix. */
  record Ask(String name, int weight, Work work) {}

  @FunctionalInterface
  interface Work {
    Object run() throws Exception;
  }

  /** {@link #CLIENTS} closed-loop clients send the mix for {@code nanos}; latencies by kind. */
  private static Round load(List<Ask> mix, long nanos) throws Exception {
    List<Ask> deck = new ArrayList<>();
    for (Ask a : mix) {
      for (int i = 0; i < a.weight(); i++) {
        deck.add(a);
      }
    }
    List<List<double[]>> times = new ArrayList<>();
    List<Thread> clients = new ArrayList<>();
    long end = System.nanoTime() + nanos;
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int c = 0; c < CLIENTS; c++) {
      List<double[]> mine = new ArrayList<>();
      times.add(mine);
      Random random = new Random(c);
      clients.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      while (System.nanoTime() < end) {
                        int pick = random.nextInt(deck.size());
                        long t = System.nanoTime();
                        deck.get(pick).work().run();
                        mine.add(
                            new double[] {
                              mix.indexOf(deck.get(pick)), (System.nanoTime() - t) / 1e6
                            });
                      }
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                  }));
    }
    for (Thread t : clients) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("a request failed", failures.getFirst());
    }
    double seconds = nanos / 1e9;
    List<List<Double>> byKind = new ArrayList<>();
    mix.forEach(a -> byKind.add(new ArrayList<>()));
    long total = 0;
    for (List<double[]> mine : times) {
      for (double[] t : mine) {
        byKind.get((int) t[0]).add(t[1]);
        total++;
      }
    }
    return new Round(
        total / seconds,
        percentile(byKind.get(0), 50),
        percentile(byKind.get(0), 99),
        byKind.size() > 1 ? percentile(byKind.get(1), 50) : Double.NaN,
        byKind.size() > 2 ? percentile(byKind.get(2), 50) : Double.NaN);
  }

  /** A figure for the JSON line: null when the round had none (the twin query alone). */
  private static String json(double value) {
    return Double.isNaN(value) ? "null" : String.format(Locale.ROOT, "%.2f", value);
  }

  private static double percentile(List<Double> values, int p) {
    return Benchmarks.percentile(values.stream().mapToDouble(Double::doubleValue).toArray(), p);
  }

  /** The demo twin, once the service has built it. */
  private static String awaitTwin(ServiceProcess service, String token) throws Exception {
    long deadline = System.nanoTime() + 10L * 60 * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      String body = service.post(token, "{ twins(first: 1) { nodes { id } } }");
      if (body.contains("\"id\"")) {
        return body;
      }
      Thread.sleep(1000);
    }
    throw new IllegalStateException("no demo twin within ten minutes");
  }

  /** The first value of a string field in a JSON text. */
  private static String field(String json, String name) {
    var m = java.util.regex.Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1);
  }
}

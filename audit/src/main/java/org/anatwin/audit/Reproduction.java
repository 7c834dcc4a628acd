package org.anatwin.audit;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.anatwin.model.Actor;
import org.anatwin.model.AnatwinException;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.AuditSink;
import org.anatwin.model.Derivation;
import org.anatwin.storage.LineageWriter;
import org.jspecify.annotations.Nullable;

/**
 * Re-derives an entity from its source blobs: the activities upstream of it are re-run in the order
 * the lineage graph gives, each by the module that owns its algorithm ({@link Derivation}), with
 * the parameters read back from the graph, and every hash each step makes is compared with the one
 * recorded. The first step whose output differs (or that cannot be re-run) is named and the steps
 * after it are skipped, since their inputs already differ. A person's decision or a physical step
 * (an approval, a print) is listed as recorded, not re-run.
 */
public final class Reproduction {
  private final Provenance provenance;
  private final List<Derivation> derivations;
  private final AuditSink audit;
  private final Clock clock;

  public Reproduction(
      Provenance provenance, List<Derivation> derivations, AuditSink audit, Clock clock) {
    this.provenance = provenance;
    this.derivations = List.copyOf(derivations);
    this.audit = audit;
    this.clock = clock;
  }

  /** What became of one step. */
  public enum Status {
    /** re-run, and every recorded hash it made matched */
    MATCHED,
    /** re-run, and a hash differs from the recorded one */
    DIFFERED,
    /** could not be re-run (a missing blob, an unreadable parameter, an unknown printer) */
    FAILED,
    /** a person's decision or a physical step: recorded, nothing to re-run */
    RECORDED,
    /** not re-run, since an earlier step already differed or failed */
    SKIPPED
  }

  /** One hash compared: the entity, the property it is recorded under, both values. */
  public record Check(
      String entity, String kind, String property, @Nullable String recorded, String reproduced) {
    /** True when the recorded hash equals the re-derived one (false when none was recorded). */
    public boolean matches() {
      return reproduced.equals(recorded);
    }
  }

  /** One activity of the lineage and what its re-run gave. */
  public record Step(
      String activity,
      String algorithm,
      String algorithmVersion,
      Map<String, String> parameters,
      Status status,
      List<Check> checks,
      String note) {}

  /**
   * The whole re-derivation: {@code matched} when at least one step was re-run and none differed or
   * failed; {@code firstDifference} the first step that did.
   */
  public record Report(
      String entity, boolean matched, @Nullable Step firstDifference, List<Step> steps) {}

  /** Re-derives {@code entity} (throws {@code audit:lineage.unknown} for an unknown id). */
  public Report reproduce(String entity, Actor actor) {
    LineageGraph graph = provenance.lineage(entity, LineageGraph.Direction.UPSTREAM, null);
    Map<String, LineageGraph.Node> nodes = new HashMap<>();
    graph.nodes().forEach(n -> nodes.put(n.id(), n));
    Map<String, String> generatedBy = new HashMap<>();
    Map<String, List<String>> used = new HashMap<>();
    Map<String, List<String>> generated = new HashMap<>();
    for (LineageGraph.Edge edge : graph.edges()) {
      switch (edge.relation()) {
        case "WAS_GENERATED_BY" -> {
          generatedBy.put(edge.from(), edge.to());
          generated.computeIfAbsent(edge.to(), a -> new ArrayList<>()).add(edge.from());
        }
        case "USED" -> used.computeIfAbsent(edge.from(), a -> new ArrayList<>()).add(edge.to());
        default -> {}
      }
    }
    Map<String, @Nullable Object> values = new HashMap<>();
    Derivation.Inputs inputs = inputs(nodes, values);
    List<Step> steps = new ArrayList<>();
    Step first = null;
    for (String id : order(nodes, generatedBy, used)) {
      LineageGraph.Node node = nodes.get(id);
      Derivation.Recorded activity =
          new Derivation.Recorded(
              id,
              node.properties().getOrDefault("algorithm", ""),
              node.properties().getOrDefault("algorithmVersion", ""),
              LineageWriter.decode(node.properties().getOrDefault("parameters", "{}")),
              sorted(used.getOrDefault(id, List.of())),
              sorted(generated.getOrDefault(id, List.of())));
      Step step = first != null ? skipped(activity) : run(activity, inputs, nodes, values);
      if (first == null && (step.status() == Status.DIFFERED || step.status() == Status.FAILED)) {
        first = step;
      }
      steps.add(step);
    }
    boolean rerun = steps.stream().anyMatch(s -> s.status() == Status.MATCHED);
    Report report = new Report(entity, rerun && first == null, first, steps);
    audit.append(
        AuditEvent.success(
            clock.instant(),
            actor,
            "lineage.reproduce",
            List.of(entity),
            report.matched()
                ? "every re-derived hash matched (" + steps.size() + " steps)"
                : first == null
                    ? "nothing re-run"
                    : "first difference: " + first.algorithm() + " " + first.activity()));
    return report;
  }

  private Step run(
      Derivation.Recorded activity,
      Derivation.Inputs inputs,
      Map<String, LineageGraph.Node> nodes,
      Map<String, @Nullable Object> values) {
    Derivation derivation =
        derivations.stream()
            .filter(d -> d.reruns(activity.algorithm(), activity.algorithmVersion()))
            .findFirst()
            .orElse(null);
    if (derivation == null) {
      return step(activity, Status.RECORDED, List.of(), "recorded; no module re-runs it");
    }
    Map<String, Derivation.Output> outputs;
    try {
      outputs = derivation.rerun(activity, inputs);
    } catch (AnatwinException e) {
      return step(activity, Status.FAILED, List.of(), e.code() + ": " + e.getMessage());
    }
    List<Check> checks = new ArrayList<>();
    for (String entity : activity.generated()) {
      Derivation.Output output = outputs.get(entity);
      if (output == null) {
        continue;
      }
      values.put(entity, output.value());
      LineageGraph.Node node = nodes.get(entity);
      new TreeMap<>(output.hashes())
          .forEach(
              (property, hash) ->
                  checks.add(
                      new Check(
                          entity, node.kind(), property, node.properties().get(property), hash)));
    }
    long differing = checks.stream().filter(c -> c.recorded() != null && !c.matches()).count();
    long unrecorded = checks.stream().filter(c -> c.recorded() == null).count();
    if (differing > 0) {
      return step(activity, Status.DIFFERED, checks, differing + " hash(es) differ");
    }
    return step(
        activity,
        Status.MATCHED,
        checks,
        unrecorded == 0
            ? "every hash matched"
            : unrecorded + " hash(es) were not recorded, so could not be compared");
  }

  private static Step skipped(Derivation.Recorded activity) {
    return step(activity, Status.SKIPPED, List.of(), "an earlier step differed");
  }

  private static Step step(
      Derivation.Recorded activity, Status status, List<Check> checks, String note) {
    return new Step(
        activity.id(),
        activity.algorithm(),
        activity.algorithmVersion(),
        activity.parameters(),
        status,
        checks,
        note);
  }

  private static Derivation.Inputs inputs(
      Map<String, LineageGraph.Node> nodes, Map<String, @Nullable Object> values) {
    return new Derivation.Inputs() {
      @Override
      public String kind(String entityId) {
        LineageGraph.Node node = nodes.get(entityId);
        return node == null ? "" : node.kind();
      }

      @Override
      public Map<String, String> properties(String entityId) {
        LineageGraph.Node node = nodes.get(entityId);
        return node == null ? Map.of() : node.properties();
      }

      @Override
      public @Nullable Object value(String entityId) {
        return values.get(entityId);
      }
    };
  }

  /**
   * The activities in an order where each comes after those that generated what it used; among
   * those ready at once, earliest recorded time first, then by id, so the order is reproducible.
   */
  private static List<String> order(
      Map<String, LineageGraph.Node> nodes,
      Map<String, String> generatedBy,
      Map<String, List<String>> used) {
    Map<String, Integer> waiting = new LinkedHashMap<>();
    Map<String, List<String>> after = new HashMap<>();
    for (LineageGraph.Node node : nodes.values()) {
      if (!node.kind().equals("Activity")) {
        continue;
      }
      int count = 0;
      for (String input : used.getOrDefault(node.id(), List.of())) {
        String producer = generatedBy.get(input);
        if (producer != null && !producer.equals(node.id())) {
          after.computeIfAbsent(producer, p -> new ArrayList<>()).add(node.id());
          count++;
        }
      }
      waiting.put(node.id(), count);
    }
    Comparator<String> byTime =
        Comparator.comparing((String id) -> nodes.get(id).properties().getOrDefault("time", ""))
            .thenComparing(Comparator.naturalOrder());
    PriorityQueue<String> ready = new PriorityQueue<>(byTime);
    waiting.forEach(
        (id, count) -> {
          if (count == 0) {
            ready.add(id);
          }
        });
    List<String> out = new ArrayList<>();
    while (!ready.isEmpty()) {
      String id = ready.poll();
      out.add(id);
      for (String next : after.getOrDefault(id, List.of())) {
        if (waiting.merge(next, -1, Integer::sum) == 0) {
          ready.add(next);
        }
      }
    }
    if (out.size() != waiting.size()) {
      throw new AuditException(
          "audit:lineage.cycle", "the lineage above this entity has a cycle; it cannot be re-run");
    }
    return out;
  }

  private static List<String> sorted(List<String> ids) {
    return ids.stream().distinct().sorted().toList();
  }
}

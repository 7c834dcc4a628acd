package org.anatwin.audit;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.anatwin.audit.persistence.LineageRepository;
import org.anatwin.storage.Storage;
import org.jspecify.annotations.Nullable;

/**
 * Reads the lineage graph: from any entity upstream to the source DICOM instances (with their SOP
 * Instance UIDs and hashes), every activity (algorithm, version, parameters, time) and every agent;
 * or downstream from an instance, series, activity or agent to everything derived from it.
 */
public final class Provenance {
  /** The deepest walk allowed, in hops; the flow is far shallower. */
  public static final int MAX_DEPTH = 64;

  private final LineageRepository repository;

  public Provenance(Storage storage) {
    this.repository = new LineageRepository(storage.graph());
  }

  /**
   * Walks breadth-first from {@code of} for at most {@code depth} hops (all the way when null).
   * Throws {@code audit:lineage.unknown} when nothing in the lineage graph has that id.
   */
  public LineageGraph lineage(
      String of, LineageGraph.Direction direction, @Nullable Integer depth) {
    int limit = depth == null ? MAX_DEPTH : Math.max(0, Math.min(depth, MAX_DEPTH));
    LineageRepository.Walk walk =
        repository.walk(of, direction == LineageGraph.Direction.UPSTREAM, limit);
    if (walk.nodes().isEmpty()) {
      throw new AuditException(
          "audit:lineage.unknown", "nothing in the lineage graph has id " + of);
    }
    List<LineageGraph.Edge> edges =
        walk.edges().stream()
            .map(e -> new LineageGraph.Edge(e.from(), e.to(), e.relation()))
            .distinct()
            .toList();
    return new LineageGraph(walk.nodes().stream().map(Provenance::node).toList(), edges);
  }

  private static LineageGraph.Node node(LineageRepository.NodeRow row) {
    String kind =
        row.labels().stream().filter(l -> !l.equals("Entity")).findFirst().orElse("Entity");
    Map<String, String> properties = new TreeMap<>();
    row.properties()
        .forEach(
            (k, v) ->
                properties.put(
                    k,
                    v instanceof List<?> list
                        ? String.join(",", list.stream().map(String::valueOf).toList())
                        : String.valueOf(v)));
    String label =
        switch (kind) {
          case "Instance" -> properties.getOrDefault("sopInstanceUid", row.id());
          case "Activity" -> properties.getOrDefault("algorithm", row.id());
          default -> properties.getOrDefault("label", properties.getOrDefault("name", row.id()));
        };
    return new LineageGraph.Node(row.id(), kind, label, properties);
  }
}

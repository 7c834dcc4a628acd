package org.anatwin.audit;

import java.util.List;
import java.util.Map;

/**
 * A piece of the lineage graph: nodes (entities, activities, agents) and PROV edges between them.
 */
public record LineageGraph(List<Node> nodes, List<Edge> edges) {
  public LineageGraph {
    nodes = List.copyOf(nodes);
    edges = List.copyOf(edges);
  }

  /**
   * A node: its id, kind (Instance, Mesh, Activity, Agent, ...), a readable label, its properties.
   */
  public record Node(String id, String kind, String label, Map<String, String> properties) {}

  /**
   * A PROV edge as stored: {@code from} WAS_DERIVED_FROM / WAS_GENERATED_BY / USED /
   * WAS_ASSOCIATED_WITH {@code to}.
   */
  public record Edge(String from, String to, String relation) {}

  /** Which way to walk. */
  public enum Direction {
    /** towards the sources (what this was made from) */
    UPSTREAM,
    /** towards everything made from this (recall) */
    DOWNSTREAM
  }
}

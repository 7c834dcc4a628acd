package org.anatwin.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One step of the flow as W3C PROV sees it: an algorithm (with its version and parameters) that
 * {@code used} some entities and generated others, associated with agents, at a time. Every module
 * records its activities; the lineage graph is made of them.
 */
public record Activity(
    ActivityId id,
    String algorithm,
    String algorithmVersion,
    Map<String, String> parameters,
    List<String> used,
    List<String> generated,
    List<Agent> agents,
    Instant time) {

  public Activity {
    parameters = Map.copyOf(parameters);
    used = List.copyOf(used);
    generated = List.copyOf(generated);
    agents = List.copyOf(agents);
    if (generated.isEmpty()) {
      throw ModelException.invalid("activity-generated", algorithm);
    }
  }

  /**
   * An activity whose id is derived from what it generated and how, so recording the same
   * derivation twice is idempotent.
   */
  public static Activity of(
      String algorithm,
      String algorithmVersion,
      Map<String, String> parameters,
      List<String> used,
      List<String> generated,
      List<Agent> agents,
      Instant time) {
    ActivityId id =
        ActivityId.createDerived(algorithm, algorithmVersion, parameters, used, generated);
    return new Activity(id, algorithm, algorithmVersion, parameters, used, generated, agents, time);
  }
}

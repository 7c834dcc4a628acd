package org.anatwin.model;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Port through which a producing module re-runs its own recorded activities, so that the audit
 * module can re-derive an entity from its source blobs ({@code reproduce}) without depending on the
 * module that made it. Each implementation re-runs the algorithms it owns, with the parameters read
 * back from the graph, and returns what it generated with the hashes to compare against the ones
 * recorded.
 */
public interface Derivation {
  /** Whether this module can re-run activities of {@code algorithm} at {@code version}. */
  boolean reruns(String algorithm, String version);

  /**
   * Re-runs one recorded activity on the inputs earlier steps reproduced (or on stored blobs for
   * what no step generates) and returns, for each generated entity id, what it made. Throws a coded
   * exception when the activity cannot be re-run (an input is missing, a parameter is not one this
   * version understands).
   */
  Map<String, Output> rerun(Recorded activity, Inputs inputs);

  /** An activity as the graph records it. */
  record Recorded(
      String id,
      String algorithm,
      String algorithmVersion,
      Map<String, String> parameters,
      List<String> used,
      List<String> generated) {
    public Recorded {
      parameters = Map.copyOf(parameters);
      used = List.copyOf(used);
      generated = List.copyOf(generated);
    }

    /** A recorded parameter, or a coded refusal naming it when it is not there. */
    public String parameter(String name) {
      String value = parameters.get(name);
      if (value == null) {
        throw new ModelException(
            "model:derivation.parameter",
            "activity " + id + " (" + algorithm + ") recorded no parameter " + name);
      }
      return value;
    }
  }

  /** What a re-run may read: the recorded entities it used and what earlier steps re-derived. */
  interface Inputs {
    /** The entity's kind (Instance, Volume, LabelMap, Mesh, ...) as recorded. */
    String kind(String entityId);

    /** The entity's recorded properties, as text. */
    Map<String, String> properties(String entityId);

    /** What an earlier step of this reproduction made for the entity; null when none did. */
    @Nullable Object value(String entityId);
  }

  /**
   * One re-derived entity: its hashes under the names of the properties they are recorded as, and
   * the value later steps work on.
   */
  record Output(Map<String, String> hashes, Object value) {
    public Output {
      hashes = Map.copyOf(hashes);
    }
  }
}

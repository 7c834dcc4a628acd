package org.anatwin.versioning.persistence;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.anatwin.storage.Graph;
import org.anatwin.versioning.RegisteredModel;
import org.neo4j.driver.Record;
import org.neo4j.driver.Value;
import org.neo4j.driver.exceptions.ClientException;

/** The Cypher of registered segmentation models (lineage entities, one per name@version). */
public final class ModelRepository {
  private static final String CREATE =
      """
      CREATE (m:SegmentationModel:Entity {id: $id, key: $key, name: $name, version: $version,
              modality: $modality, bodyParts: $bodyParts, labels: $labels,
              onnxSha256: $onnx, descriptorSha256: $descriptor, registeredBy: $by,
              registeredAt: $at, label: $key})
      """;
  private static final String BY_KEY = "MATCH (m:SegmentationModel {key: $key}) RETURN m";
  private static final String ALL = "MATCH (m:SegmentationModel) RETURN m ORDER BY m.key";

  private final Graph graph;

  public ModelRepository(Graph graph) {
    this.graph = graph;
  }

  /**
   * Creates the model's node and runs {@code alsoInTransaction} (the audit event) in the same
   * transaction; when a concurrent registration took the key meanwhile, nothing is written and that
   * registration is returned.
   */
  public Optional<RegisteredModel> createUnlessTaken(
      RegisteredModel m, Runnable alsoInTransaction) {
    Map<String, Object> p = new HashMap<>();
    p.put("id", m.id());
    p.put("key", m.key());
    p.put("name", m.name());
    p.put("version", m.version());
    p.put("modality", m.modality());
    p.put("bodyParts", m.bodyParts());
    p.put("labels", m.labels());
    p.put("onnx", m.onnxSha256());
    p.put("descriptor", m.descriptorSha256());
    p.put("by", m.registeredBy());
    p.put("at", m.registeredAt());
    try {
      graph.write(
          tx -> {
            tx.run(CREATE, p).consume();
            alsoInTransaction.run();
            return null;
          });
      return Optional.empty();
    } catch (ClientException e) {
      if (!e.code().equals("Neo.ClientError.Schema.ConstraintValidationFailed")) {
        throw e;
      }
      return byKey(m.key());
    }
  }

  public Optional<RegisteredModel> byKey(String key) {
    return graph.read(
        tx -> tx.run(BY_KEY, Map.of("key", key)).list().stream().findFirst().map(r -> model(r)));
  }

  public List<RegisteredModel> all() {
    return graph.read(tx -> tx.run(ALL).list().stream().map(ModelRepository::model).toList());
  }

  private static RegisteredModel model(Record r) {
    Value m = r.get("m");
    return new RegisteredModel(
        m.get("id").asString(),
        m.get("key").asString(),
        m.get("name").asString(),
        m.get("version").asString(),
        m.get("modality").asString(),
        m.get("bodyParts").asList(Value::asString),
        m.get("labels").asList(Value::asString),
        m.get("onnxSha256").asString(),
        m.get("descriptorSha256").asString(),
        m.get("registeredBy").asString(),
        m.get("registeredAt").asString());
  }
}

package org.anatwin.versioning.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.anatwin.model.Activity;
import org.anatwin.storage.Graph;
import org.anatwin.storage.LineageWriter;
import org.anatwin.versioning.Annotation;
import org.anatwin.versioning.VersioningException;
import org.neo4j.driver.Record;

/** The Cypher of annotations (landmarks and notes) on versions. */
public final class AnnotationRepository {
  private static final String ADD =
      """
      MATCH (v:TwinVersion {id: $version})
      OPTIONAL MATCH (v)-[:HAS_ANNOTATION]->(same:Annotation {kind: 'LANDMARK', label: $label})
      WITH v, same
      FOREACH (_ IN CASE WHEN same IS NULL OR $kind <> 'LANDMARK' THEN [1] ELSE [] END |
        CREATE (v)-[:HAS_ANNOTATION]->(:Annotation:Entity {id: $id, versionId: $version, kind: $kind,
                 label: $label, position: $position, structure: $structure, text: $text,
                 author: $author, createdAt: $time}))
      RETURN same IS NOT NULL AND $kind = 'LANDMARK' AS duplicate
      """;
  private static final String OF_VERSIONS =
      """
      MATCH (v:TwinVersion)-[:HAS_ANNOTATION]->(a:Annotation) WHERE v.id IN $ids
      RETURN a {.*} AS a ORDER BY a.createdAt, a.id
      """;

  private final Graph graph;

  public AnnotationRepository(Graph graph) {
    this.graph = graph;
  }

  /**
   * Stores an annotation on its version with the activity that made it; a second landmark of the
   * same label on one version is refused ({@code versioning:annotation.duplicate-landmark}).
   */
  public void add(Annotation a, Activity activity) {
    graph.write(
        tx -> {
          Map<String, Object> p = new HashMap<>();
          p.put("version", a.versionId());
          p.put("id", a.id());
          p.put("kind", a.kind().name());
          p.put("label", a.label());
          p.put(
              "position",
              a.position() == null ? null : java.util.Arrays.stream(a.position()).boxed().toList());
          p.put("structure", a.structure());
          p.put("text", a.text());
          p.put("author", a.author());
          p.put("time", a.createdAt().toString());
          List<Record> rows = tx.run(ADD, p).list();
          if (rows.isEmpty()) {
            throw new VersioningException(
                "versioning:version.unknown", "no twin version " + a.versionId());
          }
          if (rows.getFirst().get("duplicate").asBoolean()) {
            throw new VersioningException(
                "versioning:annotation.duplicate-landmark",
                "version " + a.versionId() + " already has a landmark " + a.label());
          }
          LineageWriter.write(tx, activity);
          return null;
        });
  }

  /** Each version's annotations, oldest first. */
  public Map<String, List<Annotation>> ofVersions(List<String> versionIds) {
    return graph.read(
        tx -> {
          Map<String, List<Annotation>> out = new HashMap<>();
          for (Record r : tx.run(OF_VERSIONS, Map.of("ids", versionIds)).list()) {
            Map<String, Object> a = r.get("a").asMap();
            @SuppressWarnings("unchecked")
            List<Double> position = (List<Double>) a.get("position");
            Annotation annotation =
                new Annotation(
                    (String) a.get("id"),
                    (String) a.get("versionId"),
                    Annotation.Kind.valueOf((String) a.get("kind")),
                    (String) a.get("label"),
                    position == null
                        ? null
                        : position.stream().mapToDouble(Double::doubleValue).toArray(),
                    (String) a.get("structure"),
                    (String) a.get("text"),
                    (String) a.get("author"),
                    Instant.parse((String) a.get("createdAt")));
            out.computeIfAbsent(annotation.versionId(), k -> new ArrayList<>()).add(annotation);
          }
          return out;
        });
  }
}

package org.anatwin.versioning.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.anatwin.model.TwinId;
import org.anatwin.storage.Graph;
import org.anatwin.versioning.VersionPages;
import org.anatwin.versioning.VersioningException;
import org.jspecify.annotations.Nullable;
import org.neo4j.driver.Record;

/** The Cypher of branches, tags, pages of versions and annotations on versions. */
public final class BranchRepository {
  private static final String BRANCH_EXISTS =
      """
      MATCH (t:Twin {id: $twinId})
      OPTIONAL MATCH (t)-[:HAS_BRANCH]->(b:Branch {name: $name})
      RETURN b IS NOT NULL AS exists
      """;

  /** Creates a branch at one of the twin's versions (nothing when the base is not one). */
  static final String CREATE_BRANCH =
      """
      MATCH (t:Twin {id: $twinId})-[:HAS_VERSION]->(v:TwinVersion {id: $base})
      CREATE (b:Branch {id: $id, twinId: $twinId, name: $name, base: $base, createdBy: $by,
                        createdAt: $time})
      CREATE (t)-[:HAS_BRANCH]->(b)
      """;

  private static final String BRANCHES =
      """
      MATCH (t:Twin) WHERE t.id IN $ids
      OPTIONAL MATCH (t)-[:HAS_VERSION]->(v:TwinVersion)
      WITH t, v.branch AS name, max(v.number) AS top
      OPTIONAL MATCH (t)-[:HAS_VERSION]->(h:TwinVersion {branch: name, number: top})
      WITH t, collect(CASE WHEN name IS NULL THEN NULL ELSE {name: name, head: h.id} END) AS heads
      OPTIONAL MATCH (t)-[:HAS_BRANCH]->(b:Branch)
      RETURN t.id AS twin, heads, collect(b {.*}) AS branches
      """;
  private static final String TAG =
      """
      MATCH (t:Twin)-[:HAS_VERSION]->(v:TwinVersion {id: $version})
      OPTIONAL MATCH (t)-[:HAS_TAG]->(old:Tag {name: $name})
      WITH t, v, old
      FOREACH (_ IN CASE WHEN old IS NULL THEN [1] ELSE [] END |
        CREATE (t)-[:HAS_TAG]->(:Tag {id: $id, twinId: t.id, name: $name, version: v.id,
                                      by: $by, at: $time, note: $note})-[:TAGS]->(v))
      RETURN old.version AS taken
      """;
  private static final String TAGS =
      """
      MATCH (g:Tag)-[:TAGS]->(v:TwinVersion) WHERE v.id IN $ids
      RETURN v.id AS version, g.name AS name ORDER BY g.at, g.name
      """;
  private static final String TAGGED =
      "MATCH (:Twin {id: $twinId})-[:HAS_TAG]->(g:Tag {name: $name}) RETURN g.version AS id";

  /** Each key's page and its versions (as {@link TwinRepository#VERSION_ROW} reads them). */
  private static final String PAGES =
      """
      UNWIND $keys AS k
      CALL (k) {
        MATCH (:Twin {id: k.twinId})-[:HAS_VERSION]->(v:TwinVersion)
        WHERE k.branch IS NULL OR v.branch = k.branch
        WITH v ORDER BY v.number
        WITH collect(v.id) AS vids, collect(v.number) AS numbers
        WITH vids, numbers,
             [i IN range(0, size(vids) - 1) WHERE k.after IS NULL OR numbers[i] > k.after] AS kept
        RETURN size(vids) AS total, [i IN kept[0..k.limit] | vids[i]] AS ids,
               [i IN kept[0..k.limit] | numbers[i]] AS numbers, size(kept) > k.limit AS more
      }
      CALL (ids) {
        UNWIND ids AS vid
        CALL (vid) {
          MATCH (v:TwinVersion {id: vid})
      """
          + TwinRepository.VERSION_ROW
          + """
        }
        RETURN collect({v: v, parent: parent, structures: structures,
                        registrations: registrations}) AS versions
      }
      RETURN k.key AS key, total, versions, numbers, more
      """;

  /**
   * A twin, its patient's node and one page of its versions: what the twin query shows, at once.
   */
  private static final String TWIN_WITH_PAGE =
      TwinRepository.MATCH_TWIN_WITH_PATIENT
          + "CALL () {\n"
          + PAGES
          + """
          }
          RETURN t {.*} AS t, p {.*} AS patient, total, versions, numbers, more
          """;

  private final Graph graph;

  public BranchRepository(Graph graph) {
    this.graph = graph;
  }

  /** A branch of a twin: its head (newest version on it; null if none yet) and where it starts. */
  public record BranchRow(
      String name,
      @Nullable String head,
      @Nullable String base,
      @Nullable String createdBy,
      @Nullable String createdAt) {}

  /**
   * Creates a branch of the twin starting at {@code base}, one of its versions; refused when the
   * name is taken ({@code versioning:branch.exists}).
   */
  public void createBranch(TwinId twin, String name, String base, String by, Instant time) {
    graph.write(
        tx -> {
          boolean exists =
              tx.run(BRANCH_EXISTS, Map.of("twinId", twin.value(), "name", name)).list().stream()
                  .anyMatch(r -> r.get("exists").asBoolean());
          if (exists) {
            throw new VersioningException(
                "versioning:branch.exists", "twin " + twin + " already has a branch " + name);
          }
          var summary =
              tx.run(
                      CREATE_BRANCH,
                      Map.of(
                          "twinId",
                          twin.value(),
                          "base",
                          base,
                          "id",
                          TwinRepository.branchId(twin, name),
                          "name",
                          name,
                          "by",
                          by,
                          "time",
                          time.toString()))
                  .consume();
          if (summary.counters().nodesCreated() != 1) {
            throw new VersioningException(
                "versioning:version.unknown", "twin " + twin + " has no version " + base);
          }
          return null;
        });
  }

  /** Each twin's branches: main (implicit) and every created one, by name. */
  public Map<String, List<BranchRow>> branches(List<String> twinIds) {
    return graph.read(
        tx -> {
          Map<String, List<BranchRow>> out = new HashMap<>();
          for (Record r : tx.run(BRANCHES, Map.of("ids", twinIds)).list()) {
            Map<String, String> heads = new HashMap<>();
            r.get("heads")
                .asList(h -> h)
                .forEach(h -> heads.put(h.get("name").asString(), h.get("head").asString()));
            Map<String, BranchRow> rows = new java.util.TreeMap<>();
            if (heads.containsKey(TwinRepository.MAIN)) {
              rows.put(
                  TwinRepository.MAIN,
                  new BranchRow(
                      TwinRepository.MAIN, heads.get(TwinRepository.MAIN), null, null, null));
            }
            for (var b : r.get("branches").asList(v -> v.asMap())) {
              String name = (String) b.get("name");
              rows.put(
                  name,
                  new BranchRow(
                      name,
                      heads.getOrDefault(name, (String) b.get("base")),
                      (String) b.get("base"),
                      (String) b.get("createdBy"),
                      (String) b.get("createdAt")));
            }
            out.put(r.get("twin").asString(), new ArrayList<>(rows.values()));
          }
          return out;
        });
  }

  /**
   * Tags a version; a tag names one version of a twin for good ({@code versioning:tag.exists} when
   * the name is taken).
   */
  public void tag(String version, String name, String id, String by, Instant time, String note) {
    graph.write(
        tx -> {
          List<Record> rows =
              tx.run(
                      TAG,
                      Map.of(
                          "version", version,
                          "name", name,
                          "id", id,
                          "by", by,
                          "time", time.toString(),
                          "note", note))
                  .list();
          if (rows.isEmpty()) {
            throw new VersioningException(
                "versioning:version.unknown", "no twin version " + version);
          }
          if (!rows.getFirst().get("taken").isNull()) {
            throw new VersioningException(
                "versioning:tag.exists",
                "tag "
                    + name
                    + " already names version "
                    + rows.getFirst().get("taken").asString());
          }
          return null;
        });
  }

  /** Each version's tags, oldest first. */
  public Map<String, List<String>> tags(List<String> versionIds) {
    return graph.read(
        tx -> {
          Map<String, List<String>> out = new HashMap<>();
          for (Record r : tx.run(TAGS, Map.of("ids", versionIds)).list()) {
            out.computeIfAbsent(r.get("version").asString(), k -> new ArrayList<>())
                .add(r.get("name").asString());
          }
          return out;
        });
  }

  /** The version a tag names, if the twin has the tag. */
  public java.util.Optional<String> tagged(TwinId twin, String name) {
    return graph.read(
        tx ->
            tx.run(TAGGED, Map.of("twinId", twin.value(), "name", name)).list().stream()
                .map(r -> r.get("id").asString())
                .findFirst());
  }

  /** Each page asked for, in one query. */
  public Map<VersionPages.Key, VersionPages.Page> versions(List<VersionPages.Key> keys) {
    List<Map<String, Object>> rows = rows(keys);
    return graph.read(
        tx -> {
          Map<VersionPages.Key, VersionPages.Page> out = new HashMap<>();
          for (Record r : tx.run(PAGES, Map.of("keys", rows)).list()) {
            out.put(keys.get(r.get("key").asInt()), page(r));
          }
          return out;
        });
  }

  /** A twin with its patient and the page of its versions that the key names, in one statement. */
  public Optional<VersionPages.TwinWithPage> twinWithPage(VersionPages.Key key) {
    Map<String, Object> p = new HashMap<>();
    p.put("id", key.twinId());
    p.put("keys", rows(List.of(key)));
    return graph.read(
        tx ->
            tx
                .run(TWIN_WITH_PAGE, p)
                .list(
                    r -> new VersionPages.TwinWithPage(TwinRepository.twinWithPatient(r), page(r)))
                .stream()
                .findFirst());
  }

  /** The keys as statement parameters, each with its index as {@code key}. */
  private static List<Map<String, Object>> rows(List<VersionPages.Key> keys) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      VersionPages.Key k = keys.get(i);
      Map<String, Object> row = new HashMap<>();
      row.put("key", i);
      row.put("twinId", k.twinId());
      row.put("branch", k.branch());
      row.put("limit", k.limit());
      row.put("after", k.afterNumber());
      rows.add(row);
    }
    return rows;
  }

  private static VersionPages.Page page(Record r) {
    return new VersionPages.Page(
        r.get("total").asInt(),
        r.get("versions").asList(TwinRepository::version),
        r.get("numbers").asList(v -> v.asInt()),
        r.get("more").asBoolean());
  }
}

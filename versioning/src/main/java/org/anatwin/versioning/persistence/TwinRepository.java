package org.anatwin.versioning.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.anatwin.model.Activity;
import org.anatwin.model.Agent;
import org.anatwin.model.ContentHash;
import org.anatwin.model.MeshId;
import org.anatwin.model.PatientKey;
import org.anatwin.model.TwinId;
import org.anatwin.model.TwinVersionId;
import org.anatwin.storage.Graph;
import org.anatwin.storage.LineageWriter;
import org.anatwin.versioning.MeshInfo;
import org.anatwin.versioning.RegistrationInfo;
import org.anatwin.versioning.Twin;
import org.anatwin.versioning.TwinVersion;
import org.anatwin.versioning.TwinWithPatient;
import org.anatwin.versioning.VersioningException;
import org.jspecify.annotations.Nullable;
import org.neo4j.driver.Record;
import org.neo4j.driver.TransactionContext;
import org.neo4j.driver.Value;

/**
 * Every Cypher statement of twins, versions, structures, meshes and their intermediate entities.
 */
public final class TwinRepository {
  /** The branch every twin has; others are created from a version. */
  public static final String MAIN = "main";

  /** A branch's id: derived from its twin and name. */
  public static String branchId(TwinId twin, String name) {
    return org.anatwin.model.DerivedIds.createId("branch", twin.value(), name);
  }

  public static final String BUILD_ALGORITHM = "anatwin.twin.build-version";
  public static final String BUILD_VERSION = "1";

  private static final String LOCK_TWIN =
      """
      MATCH (p:Patient {id: $patientKey})
      MERGE (t:Twin {id: $twinId})
        ON CREATE SET t.patientKey = $patientKey, t.versionCount = 0, t.createdAt = $time
      MERGE (p)-[:HAS_TWIN]->(t)
      SET t.locked = true
      WITH t
      OPTIONAL MATCH (t)-[:HAS_VERSION]->(h:TwinVersion {branch: $branch})
      WITH t, h ORDER BY h.number DESC LIMIT 1
      OPTIONAL MATCH (t)-[:HAS_BRANCH]->(b:Branch {name: $branch})
      RETURN t.versionCount AS count, h.id AS head, b.base AS base, b IS NOT NULL AS exists
      """;
  private static final String MERGE_VOLUME =
      """
      MERGE (v:Volume:Entity {id: $id})
        ON CREATE SET v.series = $series, v.frameOfReferenceUid = $frame, v.dimensions = $dimensions,
                      v.spacing = $spacing, v.origin = $origin, v.label = $label
      SET v.sha256 = coalesce(v.sha256, $sha256)
      """;
  private static final String MERGE_LABEL_MAP =
      """
      MERGE (l:LabelMap:Entity {id: $id})
        ON CREATE SET l.algorithm = $algorithm, l.parameters = $parameters, l.voxels = $voxels, l.label = $label
      SET l.sha256 = coalesce(l.sha256, $sha256)
      """;
  private static final String MERGE_MESH =
      """
      MERGE (m:Mesh:Entity {id: $id})
        ON CREATE SET m.structure = $structure, m.sha256 = $sha256, m.format = 'STL',
                      m.frameOfReferenceUid = $frame, m.vertices = $vertices, m.triangles = $triangles,
                      m.volume = $volume, m.area = $area, m.bounds = $bounds,
                      m.watertight = $watertight, m.manifold = $manifold, m.shells = $shells,
                      m.selfIntersections = $selfIntersections, m.euler = $euler,
                      m.wallThicknessMm = $wallThicknessMm, m.designKind = $designKind,
                      m.algorithm = $algorithm, m.label = $label,
                      m.boundaryEdges = $boundaryEdges, m.nonManifoldEdges = $nonManifoldEdges,
                      m.degenerateTriangles = $degenerateTriangles,
                      m.consistentlyOriented = $consistentlyOriented,
                      m.labelMapVolumeMm3 = $labelMapVolumeMm3,
                      m.maxDeviationFromUnsmoothedMm = $maxDeviationFromUnsmoothedMm,
                      m.repairs = $repairs
      """;
  private static final String CREATE_VERSION =
      """
      MATCH (t:Twin {id: $twinId})
      MATCH (se:Series {uid: $series})
      CREATE (v:TwinVersion:Entity {id: $id, twinId: $twinId, number: $number, branch: $branch,
                                    series: $series, author: $author, createdAt: $time, label: $label,
                                    designedOn: $designedOn})
      CREATE (t)-[:HAS_VERSION]->(v)
      CREATE (v)-[:FROM_SERIES]->(se)
      SET t.versionCount = $number, t.locked = false
      WITH v
      OPTIONAL MATCH (parent:TwinVersion {id: $parent})
      FOREACH (_ IN CASE WHEN parent IS NULL THEN [] ELSE [1] END | CREATE (v)-[:PARENT]->(parent))
      WITH v
      UNWIND $structures AS s
      MATCH (m:Mesh {id: s.mesh})
      CREATE (v)-[:HAS_STRUCTURE]->(:Structure {id: $id + '/' + s.name, name: s.name})-[:HAS_MESH]->(m)
      """;

  private static final String TWIN = "MATCH (t:Twin {id: $id}) RETURN t {.*} AS t";

  /** A twin as {@code t} and its patient's node as {@code p} (null if none), for a RETURN after. */
  static final String MATCH_TWIN_WITH_PATIENT =
      """
      MATCH (t:Twin {id: $id})
      OPTIONAL MATCH (p:Patient {id: t.patientKey})
      """;

  /** A twin with its patient's node, which the twin query shows next to it (one read for both). */
  private static final String TWIN_WITH_PATIENT =
      MATCH_TWIN_WITH_PATIENT + "RETURN t {.*} AS t, p {.*} AS patient\n";

  private static final String TWINS =
      """
      MATCH (t:Twin) WHERE $after IS NULL OR t.id > $after
      RETURN t {.*} AS t ORDER BY t.id LIMIT $limit
      """;
  private static final String TWINS_OF_PATIENTS =
      "MATCH (p:Patient)-[:HAS_TWIN]->(t:Twin) WHERE p.id IN $ids RETURN p.id AS owner, t {.*} AS t ORDER BY t.id";
  private static final String VERSIONS =
      """
      MATCH (v:TwinVersion) WHERE v.id IN $ids
      """
          + TwinRepository.VERSION_ROW;

  /**
   * A version bound to {@code v} as one row: the version, its parent's id, its structures with
   * their meshes and its registrations; {@link #version} reads it.
   */
  static final String VERSION_ROW =
      """
      OPTIONAL MATCH (v)-[:PARENT]->(p:TwinVersion)
      OPTIONAL MATCH (v)-[:HAS_STRUCTURE]->(s:Structure)-[:HAS_MESH]->(m:Mesh)
      WITH v, p, s, m ORDER BY s.name
      WITH v, p, collect(CASE WHEN s IS NULL THEN NULL ELSE {name: s.name, mesh: m {.*}} END) AS structures
      OPTIONAL MATCH (v)-[:HAS_REGISTRATION]->(r:Registration) WHERE NOT (r)<-[:SUPERSEDES]-()
      OPTIONAL MATCH (r)-[:REVIEWED_BY]->(a:RegistrationReview)
      OPTIONAL MATCH (d:DicomObject)-[:WAS_DERIVED_FROM]->(r)
      WITH v, p, structures, r, a, d ORDER BY r.structure
      RETURN v {.*} AS v, p.id AS parent, structures,
             collect(r {.*, reviewedBy: a.by, reviewReason: a.reason, dicomSha256: d.sha256}) AS registrations
      """;

  private static final String VERSION_IDS_OF_TWINS =
      "MATCH (t:Twin)-[:HAS_VERSION]->(v:TwinVersion) WHERE t.id IN $ids RETURN t.id AS owner, v.id AS id ORDER BY v.number";
  private static final String MESHES = "MATCH (m:Mesh) WHERE m.id IN $ids RETURN m {.*} AS m";
  private static final String DICOM_CONTEXT =
      """
      MATCH (v:TwinVersion)-[:HAS_STRUCTURE]->(s:Structure)-[:HAS_MESH]->(m:Mesh {id: $mesh})
      MATCH (v)-[:FROM_SERIES]->(:Series)<-[:HAS_SERIES]-(st:Study)<-[:HAS_STUDY]-(p:Patient)
      WITH v, s, m, st, p ORDER BY v.createdAt LIMIT 1
      MATCH (m)-[:WAS_DERIVED_FROM*1..4]->(i:Instance)<-[:HAS_INSTANCE]-(se:Series)
      WITH v, s, st, p, i, se ORDER BY se.uid, i.sopInstanceUid
      WITH v, s, st, p, collect(DISTINCT {series: se.uid, sopClass: i.sopClassUid, sop: i.sopInstanceUid}) AS sources
      RETURN v.id AS version, v.createdAt AS createdAt, s.name AS structure,
             st {.*} AS study, p {.*} AS patient, sources
      """;

  /** What a DICOM object made from a mesh says of where it comes from. */
  public record DicomContextRow(
      String versionId,
      String createdAt,
      String structure,
      Map<String, Object> study,
      Map<String, Object> patient,
      List<Map<String, Object>> sources) {}

  /** The version, study, patient and source instances of a mesh, if it belongs to a version. */
  public Optional<DicomContextRow> dicomContext(MeshId mesh) {
    return graph.read(
        tx ->
            tx.run(DICOM_CONTEXT, Map.of("mesh", mesh.value())).list().stream()
                .findFirst()
                .map(
                    r ->
                        new DicomContextRow(
                            r.get("version").asString(),
                            r.get("createdAt").asString(),
                            r.get("structure").asString(),
                            r.get("study").asMap(),
                            r.get("patient").asMap(),
                            r.get("sources").asList(v -> v.asMap()))));
  }

  private final Graph graph;

  public TwinRepository(Graph graph) {
    this.graph = graph;
  }

  /** The volume a version was built from, as recorded in lineage. */
  public record VolumeRow(
      String id,
      String series,
      String frame,
      List<Long> dimensions,
      List<Double> spacing,
      List<Double> origin,
      String sha256) {}

  /** A label map as recorded in lineage. */
  public record LabelMapRow(
      String id, String algorithm, String parameters, long voxels, String sha256) {}

  /**
   * One structure of a draft version: its mesh and the label map it was made from (none for an
   * uploaded design or a structure carried over from the parent).
   */
  public record StructureRow(String name, @Nullable LabelMapRow labelMap, MeshInfo mesh) {}

  /**
   * Everything a new version is made of, written in one transaction. {@code volume} is null for a
   * version that adds no new image data (a plan with a design); {@code newBranchBase} names the
   * version a branch that does not exist yet starts from (null: the branch must exist, or be main).
   */
  public record VersionDraft(
      TwinId twin,
      PatientKey patient,
      String branch,
      @Nullable String newBranchBase,
      String series,
      @Nullable VolumeRow volume,
      List<StructureRow> structures,
      List<Activity> derivations,
      List<Agent> agents,
      String author,
      Instant time,
      @Nullable String expectedParent,
      List<RegistrationInfo> registrations) {}

  private static final String HEAD =
      """
      MATCH (t:Twin {id: $twinId})
      OPTIONAL MATCH (t)-[:HAS_VERSION]->(h:TwinVersion {branch: $branch})
      WITH t, h ORDER BY h.number DESC LIMIT 1
      OPTIONAL MATCH (t)-[:HAS_BRANCH]->(b:Branch {name: $branch})
      RETURN coalesce(h.id, b.base) AS id
      """;
  private static final String MERGE_REGISTRATION =
      """
      MERGE (r:Registration:Entity {id: $id})
        ON CREATE SET r.structure = $structure, r.fixedMesh = $fixedMesh, r.movingMesh = $movingMesh,
                      r.matrix = $matrix, r.rmsMm = $rmsMm, r.overlap = $overlap,
                      r.iterations = $iterations, r.converged = $converged,
                      r.needsReview = $needsReview, r.initialisation = $initialisation,
                      r.transformSha256 = $transformSha256,
                      r.label = $structure + ' registration'
      WITH r
      MATCH (v:TwinVersion {id: $version})
      MERGE (v)-[:HAS_REGISTRATION]->(r)
      """;

  private static final String REVIEW_REGISTRATION =
      """
      MATCH (v:TwinVersion {id: $version})-[:HAS_REGISTRATION]->(r:Registration {structure: $structure})
      WHERE r.needsReview AND NOT (r)-[:REVIEWED_BY]->()
      CREATE (a:RegistrationReview:Entity {id: $id, by: $by, role: $role, reason: $reason,
                                           at: $time, label: 'registration accepted by ' + $by})
      CREATE (r)-[:REVIEWED_BY]->(a)
      RETURN r.id AS registration
      """;

  private static final String REVIEW_SEGMENTATION =
      """
      MATCH (v:TwinVersion {id: $version})
      SET v.locked = true
      WITH v
      WHERE NOT (v)-[:HAS_SEGMENTATION_REVIEW]->()
      CREATE (r:SegmentationReview:Entity {id: $id, versionId: $version, approved: $approved,
                                           meaning: $meaning, reason: $reason, by: $by, role: $role,
                                           time: $time, label: $label})
      CREATE (v)-[:HAS_SEGMENTATION_REVIEW]->(r)
      SET v.locked = false
      RETURN r.id AS id
      """;
  private static final String SEGMENTATION_REVIEWS =
      """
      MATCH (v:TwinVersion)-[:HAS_SEGMENTATION_REVIEW]->(r:SegmentationReview) WHERE v.id IN $ids
      RETURN r {.*} AS r
      """;

  /**
   * Records a segmentation review with its lineage; refused when the version's segmentation was
   * decided already (the version is locked while checking, so two reviewers cannot both sign).
   */
  public void reviewSegmentation(
      org.anatwin.versioning.SegmentationReview review, Activity activity) {
    graph.write(
        tx -> {
          Map<String, Object> p = new HashMap<>();
          p.put("version", review.versionId());
          p.put("id", review.id());
          p.put("approved", review.approved());
          p.put("meaning", review.meaning());
          p.put("reason", review.reason());
          p.put("by", review.by());
          p.put("role", review.role());
          p.put("time", review.time().toString());
          p.put(
              "label",
              (review.approved() ? "segmentation approved by " : "segmentation rejected by ")
                  + review.by());
          if (tx.run(REVIEW_SEGMENTATION, p).list().isEmpty()) {
            throw new VersioningException(
                "versioning:segmentation.decided",
                "the segmentation of version " + review.versionId() + " was signed already");
          }
          LineageWriter.write(tx, activity);
          return null;
        });
  }

  /** Each version's segmentation review, by version id. */
  public Map<String, org.anatwin.versioning.SegmentationReview> segmentationReviews(
      List<String> versionIds) {
    return graph.read(
        tx -> {
          Map<String, org.anatwin.versioning.SegmentationReview> out = new HashMap<>();
          for (Record row : tx.run(SEGMENTATION_REVIEWS, Map.of("ids", versionIds)).list()) {
            Value r = row.get("r");
            out.put(
                r.get("versionId").asString(),
                new org.anatwin.versioning.SegmentationReview(
                    r.get("id").asString(),
                    r.get("versionId").asString(),
                    r.get("approved").asBoolean(),
                    r.get("meaning").asString(),
                    r.get("reason").asString(),
                    r.get("by").asString(),
                    r.get("role").asString(),
                    Instant.parse(r.get("time").asString())));
          }
          return out;
        });
  }

  /**
   * Records a person's acceptance of a registration flagged for review, with its lineage; refused
   * when the version has no such registration or it is not waiting for review.
   */
  public void acceptRegistration(
      String version,
      String structure,
      String reviewId,
      Activity activity,
      String role,
      String reason) {
    graph.write(
        tx -> {
          Map<String, Object> p = new HashMap<>();
          p.put("version", version);
          p.put("structure", structure);
          p.put("id", reviewId);
          p.put("by", activity.agents().getFirst().id());
          p.put("role", role);
          p.put("reason", reason);
          p.put("time", activity.time().toString());
          List<Record> rows = tx.run(REVIEW_REGISTRATION, p).list();
          if (rows.isEmpty()) {
            throw new VersioningException(
                "versioning:registration.not-pending",
                "version "
                    + version
                    + " has no registration of "
                    + structure
                    + " waiting for review");
          }
          LineageWriter.write(tx, activity);
          return null;
        });
  }

  /**
   * The id of the newest version on a branch of the twin (for a branch without versions of its own,
   * the version it starts from), if it has one.
   */
  public Optional<String> head(TwinId twin, String branch) {
    return graph.read(
        tx ->
            tx
                .run(HEAD, Map.of("twinId", twin.value(), "branch", branch))
                .list(r -> r.get("id").isNull() ? null : r.get("id").asString())
                .stream()
                .filter(java.util.Objects::nonNull)
                .findFirst());
  }

  /**
   * Creates the next version of the twin on top of its current head (serialised by a write lock on
   * the twin), with every intermediate entity and activity. Nothing is written if any part fails.
   */
  public TwinVersionId saveVersion(VersionDraft draft) {
    return graph.write(tx -> saveVersion(tx, draft));
  }

  private static TwinVersionId saveVersion(TransactionContext tx, VersionDraft d) {
    Record lock =
        tx
            .run(
                LOCK_TWIN,
                Map.of(
                    "patientKey",
                    d.patient().value(),
                    "twinId",
                    d.twin().value(),
                    "time",
                    d.time().toString(),
                    "branch",
                    d.branch()))
            .list()
            .stream()
            .findFirst()
            .orElseThrow(
                () ->
                    new VersioningException(
                        "versioning:twin.unknown-patient",
                        "patient " + d.patient() + " is not stored"));
    int number = lock.get("count").asInt() + 1;
    String parent =
        !lock.get("head").isNull()
            ? lock.get("head").asString()
            : lock.get("base").isNull() ? null : lock.get("base").asString();
    if (!lock.get("exists").asBoolean() && !d.branch().equals(MAIN)) {
      if (d.newBranchBase() == null) {
        throw new VersioningException(
            "versioning:branch.unknown",
            "twin " + d.twin() + " has no branch " + d.branch() + "; create it first");
      }
      tx.run(
              BranchRepository.CREATE_BRANCH,
              Map.of(
                  "twinId", d.twin().value(),
                  "id", branchId(d.twin(), d.branch()),
                  "name", d.branch(),
                  "base", d.newBranchBase(),
                  "by", d.author(),
                  "time", d.time().toString()))
          .consume();
      parent = d.newBranchBase();
    }
    if (!java.util.Objects.equals(parent, d.expectedParent())) {
      // another build made a version since this one was registered against the head it read
      throw new VersioningException(
          "versioning:version.conflict",
          "twin "
              + d.twin()
              + " has a new head ("
              + parent
              + ") since this build started from "
              + d.expectedParent()
              + "; build again to register against it");
    }
    if (d.volume() != null) {
      tx.run(
              MERGE_VOLUME,
              Map.of(
                  "id",
                  d.volume().id(),
                  "series",
                  d.volume().series(),
                  "frame",
                  d.volume().frame(),
                  "dimensions",
                  d.volume().dimensions(),
                  "spacing",
                  d.volume().spacing(),
                  "origin",
                  d.volume().origin(),
                  "label",
                  "volume of series " + d.volume().series(),
                  "sha256",
                  d.volume().sha256()))
          .consume();
    }
    List<Map<String, Object>> structures = new ArrayList<>();
    List<String> meshIds = new ArrayList<>();
    for (StructureRow s : d.structures()) {
      if (s.labelMap() != null) {
        tx.run(
                MERGE_LABEL_MAP,
                Map.of(
                    "id",
                    s.labelMap().id(),
                    "algorithm",
                    s.labelMap().algorithm(),
                    "parameters",
                    s.labelMap().parameters(),
                    "voxels",
                    s.labelMap().voxels(),
                    "label",
                    s.name() + " label map",
                    "sha256",
                    s.labelMap().sha256()))
            .consume();
      }
      MeshInfo m = s.mesh();
      Map<String, Object> p = new HashMap<>();
      p.put("id", m.id().value());
      p.put("structure", s.name());
      p.put("sha256", m.sha256().hex());
      p.put("frame", m.frameOfReferenceUid());
      p.put("vertices", m.vertices());
      p.put("triangles", m.triangles());
      p.put("volume", m.volume());
      p.put("area", m.area());
      p.put("bounds", java.util.Arrays.stream(m.bounds()).boxed().toList());
      p.put("watertight", m.watertight());
      p.put("manifold", m.manifold());
      p.put("shells", m.shells());
      p.put("selfIntersections", m.selfIntersections());
      p.put("euler", m.eulerCharacteristic());
      p.put("wallThicknessMm", m.wallThicknessMm());
      p.put("designKind", m.designKind());
      p.put("algorithm", m.algorithm());
      p.put("label", s.name() + (m.designKind() == null ? " mesh" : " design"));
      MeshInfo.Checks checks = m.checks();
      p.put("boundaryEdges", checks == null ? null : checks.boundaryEdges());
      p.put("nonManifoldEdges", checks == null ? null : checks.nonManifoldEdges());
      p.put("degenerateTriangles", checks == null ? null : checks.degenerateTriangles());
      p.put("consistentlyOriented", checks == null ? null : checks.consistentlyOriented());
      p.put("labelMapVolumeMm3", checks == null ? null : finiteOrNull(checks.labelMapVolumeMm3()));
      p.put(
          "maxDeviationFromUnsmoothedMm",
          checks == null ? null : finiteOrNull(checks.maxDeviationFromUnsmoothedMm()));
      p.put("repairs", checks == null ? null : checks.repairs());
      tx.run(MERGE_MESH, p).consume();
      structures.add(Map.of("name", s.name(), "mesh", m.id().value()));
      meshIds.add(m.id().value());
    }
    TwinVersionId id =
        TwinVersionId.createDerived(d.twin().value(), parent, d.branch(), d.series(), meshIds);
    Map<String, Object> v = new HashMap<>();
    v.put("twinId", d.twin().value());
    v.put("series", d.series());
    v.put("designedOn", d.newBranchBase());
    v.put("id", id.value());
    v.put("number", number);
    v.put("branch", d.branch());
    v.put("author", d.author());
    v.put("time", d.time().toString());
    v.put("label", "version " + number + (d.branch().equals(MAIN) ? "" : " (" + d.branch() + ")"));
    v.put("parent", parent);
    v.put("structures", structures);
    tx.run(CREATE_VERSION, v).consume();
    for (RegistrationInfo r : d.registrations()) {
      mergeRegistration(tx, id.value(), r);
    }
    for (Activity activity : d.derivations()) {
      LineageWriter.write(tx, activity);
    }
    List<String> used = new ArrayList<>(meshIds);
    if (parent != null) {
      used.add(parent);
    }
    LineageWriter.write(
        tx,
        Activity.of(
            BUILD_ALGORITHM,
            BUILD_VERSION,
            Map.of("branch", d.branch(), "number", Integer.toString(number)),
            used,
            List.of(id.value()),
            d.agents(),
            d.time()));
    return id;
  }

  private static void mergeRegistration(TransactionContext tx, String version, RegistrationInfo r) {
    Map<String, Object> p = new HashMap<>();
    p.put("id", r.id());
    p.put("version", version);
    p.put("structure", r.structure());
    p.put("fixedMesh", r.fixedMesh());
    p.put("movingMesh", r.movingMesh());
    p.put("matrix", java.util.Arrays.stream(r.matrix()).boxed().toList());
    p.put("rmsMm", r.rmsMm());
    p.put("overlap", r.overlap());
    p.put("iterations", r.iterations());
    p.put("converged", r.converged());
    p.put("needsReview", r.needsReview());
    p.put("initialisation", r.initialisation());
    p.put("transformSha256", RegistrationInfo.transformSha256(r.matrix()));
    tx.run(MERGE_REGISTRATION, p).consume();
  }

  private static final String SUPERSEDE =
      """
      MATCH (new:Registration {id: $new}), (old:Registration {id: $old})
      MERGE (new)-[:SUPERSEDES]->(old)
      """;

  /**
   * Adds a registration to a version after it was built (e.g. from landmarks), superseding the
   * version's current registration of the structure, with the activity that made it. The old one
   * stays in the graph and in lineage.
   */
  public void addRegistration(
      String version, RegistrationInfo r, @Nullable String supersedes, Activity activity) {
    graph.write(
        tx -> {
          mergeRegistration(tx, version, r);
          if (supersedes != null && !supersedes.equals(r.id())) {
            tx.run(SUPERSEDE, Map.of("new", r.id(), "old", supersedes)).consume();
          }
          LineageWriter.write(tx, activity);
          return null;
        });
  }

  private static final String MERGE_DICOM_OBJECT =
      """
      MERGE (d:DicomObject:Entity {id: $id})
        ON CREATE SET d.sopClassUid = $sopClass, d.sopInstanceUid = $sop, d.sha256 = $sha256,
                      d.label = $label
      """;

  /**
   * Records a DICOM object we made (e.g. a Spatial Registration) as an entity with its SOP Instance
   * UID and the hash of its stored bytes, with the activity that made it.
   */
  public void recordDicomObject(
      String id, String sopClass, String sop, ContentHash sha256, String label, Activity activity) {
    graph.write(
        tx -> {
          tx.run(
                  MERGE_DICOM_OBJECT,
                  Map.of(
                      "id", id,
                      "sopClass", sopClass,
                      "sop", sop,
                      "sha256", sha256.hex(),
                      "label", label))
              .consume();
          LineageWriter.write(tx, activity);
          return null;
        });
  }

  /** The twin alone: callers that do not show its patient do not read the patient's node. */
  public Optional<Twin> twin(TwinId id) {
    return graph.read(
        tx ->
            tx.run(TWIN, Map.of("id", id.value())).list(r -> twin(r.get("t"))).stream()
                .findFirst());
  }

  public Optional<TwinWithPatient> twinWithPatient(TwinId id) {
    return graph.read(
        tx ->
            tx
                .run(TWIN_WITH_PATIENT, Map.of("id", id.value()))
                .list(TwinRepository::twinWithPatient)
                .stream()
                .findFirst());
  }

  /** A row's twin ({@code t}) and patient ({@code patient}, may be null). */
  static TwinWithPatient twinWithPatient(Record r) {
    return new TwinWithPatient(
        twin(r.get("t")), r.get("patient").isNull() ? null : r.get("patient").asMap());
  }

  public List<Twin> twins(int limit, @Nullable String after) {
    Map<String, Object> p = new HashMap<>();
    p.put("limit", limit);
    p.put("after", after);
    return graph.read(tx -> tx.run(TWINS, p).list(r -> twin(r.get("t"))));
  }

  public Map<String, List<Twin>> twinsOfPatients(List<String> patientIds) {
    return graph.read(
        tx -> {
          Map<String, List<Twin>> out = new HashMap<>();
          for (Record r : tx.run(TWINS_OF_PATIENTS, Map.of("ids", patientIds)).list()) {
            out.computeIfAbsent(r.get("owner").asString(), k -> new ArrayList<>())
                .add(twin(r.get("t")));
          }
          return out;
        });
  }

  public Map<String, List<String>> versionIdsOfTwins(List<String> twinIds) {
    return graph.read(
        tx -> {
          Map<String, List<String>> out = new HashMap<>();
          for (Record r : tx.run(VERSION_IDS_OF_TWINS, Map.of("ids", twinIds)).list()) {
            out.computeIfAbsent(r.get("owner").asString(), k -> new ArrayList<>())
                .add(r.get("id").asString());
          }
          return out;
        });
  }

  public List<TwinVersion> versions(List<String> ids) {
    return graph.read(tx -> tx.run(VERSIONS, Map.of("ids", ids)).list(TwinRepository::version));
  }

  public Optional<MeshInfo> mesh(MeshId id) {
    return meshes(List.of(id.value())).stream().findFirst();
  }

  /** The meshes with these ids, in no particular order; unknown ids are skipped. */
  public List<MeshInfo> meshes(List<String> ids) {
    return graph.read(tx -> tx.run(MESHES, Map.of("ids", ids)).list(r -> mesh(r.get("m").asMap())));
  }

  private static Twin twin(Value t) {
    return new Twin(
        TwinId.parse(t.get("id").asString()),
        PatientKey.parse(t.get("patientKey").asString()),
        t.get("versionCount").asInt(),
        Instant.parse(t.get("createdAt").asString()));
  }

  static TwinVersion version(org.neo4j.driver.types.MapAccessorWithDefaultValue r) {
    Value v = r.get("v");
    List<TwinVersion.Structure> structures =
        r.get("structures")
            .asList(
                s ->
                    new TwinVersion.Structure(
                        s.get("name").asString(), mesh(s.get("mesh").asMap())));
    List<RegistrationInfo> registrations =
        r.get("registrations").asList(x -> registration(x.asMap()));
    return new TwinVersion(
        TwinVersionId.parse(v.get("id").asString()),
        TwinId.parse(v.get("twinId").asString()),
        v.get("number").asInt(),
        r.get("parent").isNull() ? null : TwinVersionId.parse(r.get("parent").asString()),
        v.get("branch").asString(),
        v.get("series").asString(),
        v.get("author").asString(),
        Instant.parse(v.get("createdAt").asString()),
        structures,
        registrationStatus(registrations),
        registrations);
  }

  /**
   * NONE without registrations, NEEDS_REVIEW while a flagged one is not accepted, else ACCEPTED.
   */
  private static String registrationStatus(List<RegistrationInfo> registrations) {
    if (registrations.isEmpty()) {
      return "NONE";
    }
    return registrations.stream().anyMatch(r -> r.needsReview() && r.reviewedBy() == null)
        ? "NEEDS_REVIEW"
        : "ACCEPTED";
  }

  private static RegistrationInfo registration(Map<String, Object> r) {
    @SuppressWarnings("unchecked")
    List<Double> matrix = (List<Double>) r.get("matrix");
    return new RegistrationInfo(
        (String) r.get("id"),
        (String) r.get("structure"),
        (String) r.get("fixedMesh"),
        (String) r.get("movingMesh"),
        matrix.stream().mapToDouble(Double::doubleValue).toArray(),
        ((Number) r.get("rmsMm")).doubleValue(),
        ((Number) r.get("overlap")).doubleValue(),
        ((Number) r.get("iterations")).intValue(),
        (Boolean) r.get("converged"),
        (Boolean) r.get("needsReview"),
        (String) r.get("initialisation"),
        (String) r.get("reviewedBy"),
        (String) r.get("reviewReason"),
        (String) r.get("dicomSha256"));
  }

  private static MeshInfo mesh(Map<String, Object> m) {
    @SuppressWarnings("unchecked")
    List<Double> bounds = (List<Double>) m.get("bounds");
    return new MeshInfo(
        MeshId.parse((String) m.get("id")),
        (String) m.get("structure"),
        ContentHash.parse((String) m.get("sha256")),
        (String) m.get("frameOfReferenceUid"),
        ((Number) m.get("vertices")).intValue(),
        ((Number) m.get("triangles")).intValue(),
        ((Number) m.get("volume")).doubleValue(),
        ((Number) m.get("area")).doubleValue(),
        bounds.stream().mapToDouble(Double::doubleValue).toArray(),
        (Boolean) m.get("watertight"),
        (Boolean) m.get("manifold"),
        ((Number) m.get("shells")).intValue(),
        m.get("selfIntersections") instanceof Number n ? n.longValue() : -1,
        m.get("euler") instanceof Number n ? n.longValue() : 0,
        m.get("wallThicknessMm") instanceof Number n ? n.doubleValue() : Double.NaN,
        (String) m.get("algorithm"),
        (String) m.get("designKind"),
        checks(m));
  }

  /** The rest of a mesh's QA report, or null for a mesh stored before it was kept. */
  private static MeshInfo.@Nullable Checks checks(Map<String, Object> m) {
    if (!(m.get("degenerateTriangles") instanceof Number degenerate)) {
      return null;
    }
    List<String> repairs = new ArrayList<>();
    if (m.get("repairs") instanceof List<?> list) {
      for (Object change : list) {
        repairs.add(String.valueOf(change));
      }
    }
    return new MeshInfo.Checks(
        ((Number) m.get("boundaryEdges")).longValue(),
        ((Number) m.get("nonManifoldEdges")).longValue(),
        degenerate.longValue(),
        Boolean.TRUE.equals(m.get("consistentlyOriented")),
        m.get("labelMapVolumeMm3") instanceof Number n ? n.doubleValue() : Double.NaN,
        m.get("maxDeviationFromUnsmoothedMm") instanceof Number n ? n.doubleValue() : Double.NaN,
        repairs);
  }

  private static @Nullable Double finiteOrNull(double value) {
    return Double.isFinite(value) ? value : null;
  }
}

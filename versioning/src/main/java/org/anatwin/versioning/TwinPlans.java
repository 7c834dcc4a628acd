package org.anatwin.versioning;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.anatwin.model.Activity;
import org.anatwin.model.Actor;
import org.anatwin.model.Agent;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.AuditSink;
import org.anatwin.model.ContentHash;
import org.anatwin.model.DerivedIds;
import org.anatwin.model.MeshId;
import org.anatwin.model.TriangleMesh;
import org.anatwin.model.TwinId;
import org.anatwin.model.TwinVersionId;
import org.anatwin.modeling.ImportedMesh;
import org.anatwin.modeling.MeshReport;
import org.anatwin.modeling.Modeling;
import org.anatwin.modeling.ModelingException;
import org.anatwin.registration.RegistrationException;
import org.anatwin.registration.Registrations;
import org.anatwin.registration.RigidRegistration;
import org.anatwin.registration.SurfaceRegistration;
import org.anatwin.storage.Storage;
import org.anatwin.versioning.persistence.AnnotationRepository;
import org.anatwin.versioning.persistence.BranchRepository;
import org.anatwin.versioning.persistence.TwinRepository;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.apache.commons.numbers.core.Precision;
import org.jspecify.annotations.Nullable;

/**
 * What people add to a twin besides new images: branches and tags, designs (implants, guides)
 * uploaded onto plan branches, and landmarks and notes on versions, with the paired-point
 * registration landmarks allow. Every change is a new entity with its lineage and an audit event;
 * versions stay immutable.
 */
public final class TwinPlans {
  /** Names of the activities recorded in lineage. */
  public static final String DESIGN_UPLOAD = "anatwin.design.upload";

  /** 2: the upload is repaired (welds, degenerate and duplicate triangles, small holes). */
  public static final String DESIGN_UPLOAD_VERSION = "2";

  public static final String ANNOTATE = "anatwin.annotation";
  public static final String LANDMARK_REGISTRATION = "anatwin.registration.landmarks-then-icp";

  /** Uploaded designs are refused above this many triangles. */
  public static final int MAX_DESIGN_TRIANGLES = 5_000_000;

  /** A design lying further than this from the anatomy is taken to be in the wrong frame. */
  public static final double MAX_DESIGN_GAP_MM = 50;

  private static final Pattern BRANCH = Pattern.compile("[a-z0-9][a-z0-9._/-]{0,63}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final Twins twins;
  private final Storage storage;
  private final AuditSink audit;
  private final Clock clock;
  private final TwinRepository versions;
  private final BranchRepository branches;
  private final AnnotationRepository annotations;
  private final Twins.VersionListener events;

  public TwinPlans(
      Twins twins, Storage storage, AuditSink audit, Clock clock, Twins.VersionListener events) {
    this.twins = twins;
    this.storage = storage;
    this.audit = audit;
    this.clock = clock;
    this.events = events;
    this.versions = new TwinRepository(storage.graph());
    this.branches = new BranchRepository(storage.graph());
    this.annotations = new AnnotationRepository(storage.graph());
  }

  // ---------------------------------------------------------------- branches and tags

  /** A branch of a twin as the API shows it. */
  public record Branch(
      String name,
      @Nullable String headVersionId,
      @Nullable String baseVersionId,
      @Nullable String createdBy,
      @Nullable String createdAt) {}

  /**
   * Creates a branch starting at a version; new versions built or designed on the branch descend
   * from it. Names are lower case ({@code [a-z0-9][a-z0-9._/-]*}); {@code main} is every twin's.
   */
  public Branch createBranch(TwinVersionId from, String name, Actor actor) {
    checkBranchName(name);
    TwinVersion base = version(from);
    Instant time = clock.instant();
    storage
        .graph()
        .atomically(
            () -> {
              branches.createBranch(base.twin(), name, from.value(), actor.userName(), time);
              audit(
                  time,
                  actor,
                  "twin.create-branch",
                  List.of(base.twin().value(), from.value()),
                  name);
            });
    return branchesOf(List.of(base.twin().value())).get(base.twin().value()).stream()
        .filter(b -> b.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /** Each twin's branches, main first when it has versions, then by name. */
  public Map<String, List<Branch>> branchesOf(List<String> twinIds) {
    Map<String, List<Branch>> out = new java.util.HashMap<>();
    branches
        .branches(twinIds)
        .forEach(
            (twin, rows) ->
                out.put(
                    twin,
                    rows.stream()
                        .sorted(
                            Comparator.comparing(
                                    (BranchRepository.BranchRow r) -> !r.name().equals(Twins.MAIN))
                                .thenComparing(BranchRepository.BranchRow::name))
                        .map(
                            r ->
                                new Branch(
                                    r.name(), r.head(), r.base(), r.createdBy(), r.createdAt()))
                        .toList()));
    return out;
  }

  /**
   * Tags a version with a name unique in its twin (a tag never moves: {@code versioning:tag.exists}
   * when taken).
   */
  public TwinVersion tag(TwinVersionId version, String tag, String note, Actor actor) {
    if (!TAG.matcher(tag).matches()) {
      throw new VersioningException(
          "versioning:tag.name",
          "a tag is 1-64 letters, digits, '.', '_' or '-', not '" + tag + "'");
    }
    TwinVersion v = version(version);
    Instant time = clock.instant();
    storage
        .graph()
        .atomically(
            () -> {
              branches.tag(
                  version.value(),
                  tag,
                  DerivedIds.createId("tag", v.twin().value(), tag),
                  actor.userName(),
                  time,
                  note);
              audit(
                  time, actor, "twin.tag-version", List.of(version.value(), v.twin().value()), tag);
            });
    return v;
  }

  /** Each version's tags, oldest first. */
  public Map<String, List<String>> tagsOf(List<String> versionIds) {
    return branches.tags(versionIds);
  }

  /** The version a tag of the twin names. */
  public Optional<TwinVersion> tagged(TwinId twin, String tag) {
    return branches.tagged(twin, tag).flatMap(id -> twins.version(TwinVersionId.parse(id)));
  }

  /**
   * Pages of twins' versions in number order, optionally of one branch each, with the versions
   * themselves, in one query.
   */
  public Map<VersionPages.Key, VersionPages.Page> versionPages(List<VersionPages.Key> keys) {
    return branches.versions(keys);
  }

  /**
   * A twin with its patient's node and the page of its versions that the key names, in one query
   * (the twin query asks for all three).
   */
  public Optional<VersionPages.TwinWithPage> twinWithVersionPage(VersionPages.Key key) {
    return branches.twinWithPage(key);
  }

  // ---------------------------------------------------------------- designs

  /** What a designer uploads. */
  public record DesignUpload(
      TwinVersionId designedOn,
      String name,
      String kind,
      byte[] file,
      @Nullable String format,
      String unit,
      @Nullable String branch,
      double @Nullable [] transform) {}

  /** Units an STL, OBJ or PLY may be declared in (3MF files declare their own). */
  public static final Map<String, Double> UNITS = ImportedMesh.UNITS;

  /**
   * Stores a design (implant, guide, ...) made on a version: read (STL, OBJ, PLY, 3MF), brought to
   * millimetres, placed by an optional 3x4 transform into the twin's patient coordinates, repaired
   * (coincident vertices welded, degenerate and duplicate triangles dropped, holes of up to {@link
   * Modeling#SMALL_HOLE_EDGES} edges filled, every change listed in its QA report), checked closed,
   * of a plausible size and near the anatomy, then added to a new version on a plan branch (default
   * {@code plan/<name>}) whose parent is the version it was designed on; a design of the same name
   * on that branch is replaced in the new version. The upload is kept as a blob and its hash is in
   * lineage.
   */
  public TwinVersion uploadDesign(DesignUpload upload, Actor actor) {
    if (!NAME.matcher(upload.name()).matches()) {
      throw new VersioningException(
          "versioning:design.name",
          "a design's name is 1-64 letters, digits, spaces, '.', '_' or '-'");
    }
    String branch =
        upload.branch() == null
            ? "plan/" + upload.name().toLowerCase(java.util.Locale.ROOT).replace(' ', '-')
            : upload.branch();
    checkBranchName(branch);
    Double unit = UNITS.get(upload.unit());
    if (unit == null) {
      throw new VersioningException(
          "versioning:design.unit", "unit is one of " + new TreeMap<>(UNITS).keySet());
    }
    TwinVersion on = version(upload.designedOn());
    MeshInfo anatomy =
        on.structures().stream()
            .map(TwinVersion.Structure::mesh)
            .filter(m -> !m.isDesign())
            .findFirst()
            .orElseThrow(
                () ->
                    new VersioningException(
                        "versioning:design.no-anatomy",
                        "version " + on.id() + " has no anatomical structure to design on"));
    if (on.structures().stream()
        .anyMatch(s -> s.name().equals(upload.name()) && !s.mesh().isDesign())) {
      throw new VersioningException(
          "versioning:design.name-taken",
          "version " + on.id() + " has an anatomical structure named " + upload.name());
    }
    ImportedMesh imported;
    try {
      imported = Modeling.importMesh(upload.file(), upload.format(), MAX_DESIGN_TRIANGLES);
    } catch (ModelingException e) {
      throw new VersioningException(
          "versioning:design.unreadable", e.code() + ": " + e.getMessage(), e);
    }
    double scale = imported.unitless() ? unit : 1.0;
    Modeling.Repaired repaired = Modeling.repair(place(imported.mesh(), scale, upload.transform()));
    TriangleMesh mesh = repaired.mesh();
    MeshReport report = Modeling.report(mesh);
    if (!report.watertight() || !report.manifold()) {
      throw new VersioningException(
          "versioning:design.not-closed",
          "the design is not a closed manifold surface after repair (holes of up to "
              + Modeling.SMALL_HOLE_EDGES
              + " edges are filled; "
              + report.boundaryEdges()
              + " open and "
              + report.nonManifoldEdges()
              + " non-manifold edges remain); close it before uploading");
    }
    double extent =
        Math.sqrt(
            sq(report.maxX() - report.minX())
                + sq(report.maxY() - report.minY())
                + sq(report.maxZ() - report.minZ()));
    if (extent < 1 || extent > 1000) {
      throw new VersioningException(
          "versioning:design.units",
          String.format(
              java.util.Locale.ROOT,
              "the design spans %.4g mm, not a size a %s has: is its unit %s right?",
              extent,
              upload.kind().toLowerCase(java.util.Locale.ROOT),
              imported.unitless() ? upload.unit() : imported.unit()));
    }
    double gap = gap(report, on);
    if (gap > MAX_DESIGN_GAP_MM) {
      throw new VersioningException(
          "versioning:design.outside-frame",
          String.format(
              java.util.Locale.ROOT,
              "the design lies %.1f mm from the anatomy of version %s: it must be in the twin's"
                  + " patient coordinates (LPS, mm); give a transform to place it",
              gap,
              on.id()));
    }
    Instant time = clock.instant();
    ContentHash original = storage.blobs().put(upload.file());
    ContentHash stl = storage.blobs().put(Modeling.toStl(mesh));
    Map<String, String> parameters = new TreeMap<>();
    parameters.put("name", upload.name());
    parameters.put("kind", upload.kind());
    parameters.put("format", imported.format());
    parameters.put("unit", imported.unitless() ? upload.unit() : imported.unit());
    parameters.put("uploadSha256", original.hex());
    if (upload.transform() != null) {
      parameters.put("transform", java.util.Arrays.toString(upload.transform()));
    }
    MeshId id = MeshId.createDerived(upload.designedOn().value(), parameters, stl.hex());
    MeshInfo design =
        MeshInfo.of(
            id,
            upload.name(),
            stl,
            anatomy.frameOfReferenceUid(),
            report,
            repaired.changes(),
            DESIGN_UPLOAD + " " + DESIGN_UPLOAD_VERSION,
            upload.kind());
    List<TwinRepository.StructureRow> structures = new ArrayList<>();
    for (TwinVersion.Structure s : on.structures()) {
      if (!s.name().equals(upload.name())) {
        structures.add(new TwinRepository.StructureRow(s.name(), null, s.mesh()));
      }
    }
    structures.add(new TwinRepository.StructureRow(upload.name(), null, design));
    List<Agent> agents = List.of(actor.agent(), Agent.anatwin());
    String head = versions.head(on.twin(), branch).orElse(null);
    if (head != null && !head.equals(on.id().value())) {
      throw new VersioningException(
          "versioning:version.conflict",
          "branch "
              + branch
              + " is at version "
              + head
              + ", not at "
              + on.id()
              + " the design was made on; design on the branch's head or name another branch");
    }
    // the version and its audit event commit together, or neither does (fail closed)
    TwinVersionId created =
        storage
            .graph()
            .atomically(
                () -> {
                  TwinVersionId saved =
                      versions.saveVersion(
                          new TwinRepository.VersionDraft(
                              on.twin(),
                              patientOf(on),
                              branch,
                              head == null ? on.id().value() : null,
                              on.sourceSeries(),
                              null,
                              structures,
                              List.of(
                                  Activity.of(
                                      DESIGN_UPLOAD,
                                      DESIGN_UPLOAD_VERSION,
                                      parameters,
                                      List.of(on.id().value()),
                                      List.of(id.value()),
                                      agents,
                                      time)),
                              agents,
                              actor.userName(),
                              time,
                              head == null ? on.id().value() : head,
                              List.of()));
                  audit(
                      time,
                      actor,
                      "twin.upload-design",
                      List.of(saved.value(), id.value(), on.id().value()),
                      "design=" + upload.name() + " kind=" + upload.kind() + " branch=" + branch);
                  return saved;
                });
    TwinVersion version = twins.version(created).orElseThrow();
    events.versionBuilt(version);
    return version;
  }

  static TriangleMesh place(TriangleMesh mesh, double scale, double @Nullable [] m) {
    if (m != null && m.length != 12) {
      throw new VersioningException(
          "versioning:design.transform", "a transform is 12 numbers: 3 rows of rotation and shift");
    }
    if (m != null && !isRigid(m)) {
      throw new VersioningException(
          "versioning:design.transform",
          "the transform must be rigid (a rotation and a shift): a design keeps its size");
    }
    float[] p = mesh.points();
    float[] q = new float[p.length];
    for (int i = 0; i < p.length; i += 3) {
      double x = p[i] * scale, y = p[i + 1] * scale, z = p[i + 2] * scale;
      if (m == null) {
        q[i] = (float) x;
        q[i + 1] = (float) y;
        q[i + 2] = (float) z;
      } else {
        q[i] = (float) (m[0] * x + m[1] * y + m[2] * z + m[3]);
        q[i + 1] = (float) (m[4] * x + m[5] * y + m[6] * z + m[7]);
        q[i + 2] = (float) (m[8] * x + m[9] * y + m[10] * z + m[11]);
      }
    }
    return new TriangleMesh(q, mesh.triangles());
  }

  private static boolean isRigid(double[] m) {
    double[][] r = {{m[0], m[1], m[2]}, {m[4], m[5], m[6]}, {m[8], m[9], m[10]}};
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 3; b++) {
        double dot = r[a][0] * r[b][0] + r[a][1] * r[b][1] + r[a][2] * r[b][2];
        if (Math.abs(dot - (a == b ? 1 : 0)) > 1e-6) {
          return false;
        }
      }
    }
    double det =
        r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1])
            - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0])
            + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
    return det > 0;
  }

  /** Distance between the design's box and the box of the version's anatomy (0 when they meet). */
  private static double gap(MeshReport design, TwinVersion on) {
    double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    double[] hi = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
    for (TwinVersion.Structure s : on.structures()) {
      if (!s.mesh().isDesign()) {
        double[] b = s.mesh().bounds();
        for (int k = 0; k < 3; k++) {
          lo[k] = Math.min(lo[k], b[k]);
          hi[k] = Math.max(hi[k], b[k + 3]);
        }
      }
    }
    double[] dlo = {design.minX(), design.minY(), design.minZ()};
    double[] dhi = {design.maxX(), design.maxY(), design.maxZ()};
    double sum = 0;
    for (int k = 0; k < 3; k++) {
      double d = Math.max(0, Math.max(lo[k] - dhi[k], dlo[k] - hi[k]));
      sum += d * d;
    }
    return Math.sqrt(sum);
  }

  // ---------------------------------------------------------------- annotations

  /**
   * Puts a landmark or a note on a version. A landmark needs a label unique in the version and a
   * position (LPS, mm) within {@link #MAX_DESIGN_GAP_MM} of the version's structures.
   */
  public Annotation annotate(
      TwinVersionId versionId,
      Annotation.Kind kind,
      String label,
      double @Nullable [] position,
      @Nullable String structure,
      @Nullable String text,
      Actor actor) {
    TwinVersion v = version(versionId);
    if (label.isBlank() || label.length() > 64) {
      throw new VersioningException(
          "versioning:annotation.label", "an annotation's label is 1-64 characters");
    }
    if (kind == Annotation.Kind.LANDMARK && position == null) {
      throw new VersioningException(
          "versioning:annotation.position", "a landmark needs a position (x, y, z in mm)");
    }
    if (kind == Annotation.Kind.NOTE && (text == null || text.isBlank())) {
      throw new VersioningException("versioning:annotation.text", "a note needs text");
    }
    if (text != null && text.length() > 4000) {
      throw new VersioningException(
          "versioning:annotation.text", "a note is at most 4000 characters");
    }
    if (structure != null && v.structures().stream().noneMatch(s -> s.name().equals(structure))) {
      throw new VersioningException(
          "versioning:annotation.structure",
          "version " + versionId + " has no structure " + structure);
    }
    if (position != null) {
      if (position.length != 3
          || !Double.isFinite(position[0])
          || !Double.isFinite(position[1])
          || !Double.isFinite(position[2])) {
        throw new VersioningException(
            "versioning:annotation.position", "a position is three finite numbers (mm)");
      }
      if (distanceToStructures(position, v) > MAX_DESIGN_GAP_MM) {
        throw new VersioningException(
            "versioning:annotation.outside",
            "the position lies more than "
                + MAX_DESIGN_GAP_MM
                + " mm from every structure of the version: is it in patient coordinates (LPS)?");
      }
    }
    Instant time = clock.instant();
    String id =
        DerivedIds.createId(
            "annotation", versionId.value(), kind.name(), label, actor.userName(), time.toString());
    Annotation a =
        new Annotation(
            id, versionId.value(), kind, label, position, structure, text, actor.userName(), time);
    Map<String, String> parameters = new TreeMap<>();
    parameters.put("kind", kind.name());
    parameters.put("label", label);
    if (position != null) {
      parameters.put("position", java.util.Arrays.toString(position));
    }
    storage
        .graph()
        .atomically(
            () -> {
              annotations.add(
                  a,
                  Activity.of(
                      ANNOTATE,
                      "1",
                      parameters,
                      List.of(versionId.value()),
                      List.of(id),
                      List.of(actor.agent()),
                      time));
              audit(
                  time, actor, "twin.annotate", List.of(versionId.value(), id), kind + " " + label);
            });
    return a;
  }

  /** Each version's annotations, oldest first. */
  public Map<String, List<Annotation>> annotationsOf(List<String> versionIds) {
    return annotations.ofVersions(versionIds);
  }

  /**
   * Registers a version's structure onto its parent's from landmarks: the landmarks with the same
   * label on both versions are paired (at least 3), Horn's closed form gives the start, and
   * point-to-plane ICP refines it on the surfaces. The result supersedes the structure's current
   * registration (kept in lineage); like any registration, a poor fit is flagged for review.
   */
  public TwinVersion registerWithLandmarks(TwinVersionId versionId, String structure, Actor actor) {
    TwinVersion v = version(versionId);
    if (v.parent() == null) {
      throw new VersioningException(
          "versioning:registration.no-parent",
          "version " + versionId + " is a first version: there is nothing to register onto");
    }
    TwinVersion parent = version(v.parent());
    MeshInfo moving = mesh(v, structure);
    MeshInfo fixed = mesh(parent, structure);
    Map<String, List<Annotation>> marks =
        annotations.ofVersions(List.of(v.id().value(), parent.id().value()));
    Map<String, Annotation> mine = landmarks(marks.get(v.id().value()));
    Map<String, Annotation> theirs = landmarks(marks.get(parent.id().value()));
    List<String> labels = mine.keySet().stream().filter(theirs::containsKey).sorted().toList();
    List<Vector3D> f = labels.stream().map(l -> point(theirs.get(l))).toList();
    List<Vector3D> m = labels.stream().map(l -> point(mine.get(l))).toList();
    SurfaceRegistration result;
    try {
      result =
          landmarkRegistration(
              Modeling.fromStl(twins.stl(fixed)), Modeling.fromStl(twins.stl(moving)), f, m);
    } catch (RegistrationException e) {
      throw new VersioningException(
          e.code(), e.getMessage() + " (labels on both versions: " + labels + ")", e);
    }
    List<String> used = new ArrayList<>();
    labels.forEach(
        l -> {
          used.add(mine.get(l).id());
          used.add(theirs.get(l).id());
        });
    String id =
        DerivedIds.createId(
            "registration", fixed.id().value(), moving.id().value(), LANDMARK_REGISTRATION, used);
    RegistrationInfo registration =
        RegistrationInfo.of(id, structure, fixed.id().value(), moving.id().value(), result);
    String current =
        v.registrations().stream()
            .filter(r -> r.structure().equals(structure))
            .map(RegistrationInfo::id)
            .findFirst()
            .orElse(null);
    used.add(fixed.id().value());
    used.add(moving.id().value());
    Instant time = clock.instant();
    storage
        .graph()
        .atomically(
            () -> {
              versions.addRegistration(
                  versionId.value(),
                  registration,
                  current,
                  Activity.of(
                      LANDMARK_REGISTRATION,
                      "1",
                      Map.of(
                          "pairs",
                          Integer.toString(labels.size()),
                          "icp",
                          Registrations.ICP_VERSION),
                      used,
                      List.of(id),
                      List.of(actor.agent(), Agent.anatwin()),
                      time));
              audit(
                  time,
                  actor,
                  "twin.register-landmarks",
                  List.of(versionId.value(), id),
                  structure + " from " + labels.size() + " landmark pairs");
            });
    if (!registration.needsReview()) {
      twins.storeSpatialRegistration(version(versionId), structure);
    }
    return version(versionId);
  }

  /**
   * A registration from landmark pairs: Horn's closed form on the pairs (fixed, moving, in the same
   * order) starts ICP on the two meshes. Shared with its re-derivation.
   */
  static SurfaceRegistration landmarkRegistration(
      TriangleMesh fixed, TriangleMesh moving, List<Vector3D> f, List<Vector3D> m) {
    RigidRegistration start =
        Registrations.createLandmarkRegistration(f, m, Precision.doubleEquivalenceOfEpsilon(1e-9));
    String initialisation =
        String.format(
            java.util.Locale.ROOT,
            "landmarks (%d pairs, fiducial error %.2f mm)",
            f.size(),
            start.rmsResidual());
    return Registrations.refineSurfaces(
        fixed,
        moving,
        java.util.Arrays.copyOf(start.transform().toArray(), 12),
        initialisation,
        Registrations.IcpOptions.defaults());
  }

  private static Map<String, Annotation> landmarks(@Nullable List<Annotation> list) {
    Map<String, Annotation> out = new TreeMap<>();
    if (list != null) {
      list.stream()
          .filter(a -> a.kind() == Annotation.Kind.LANDMARK && a.position() != null)
          .forEach(a -> out.put(a.label(), a));
    }
    return out;
  }

  private static Vector3D point(Annotation a) {
    double[] p = java.util.Objects.requireNonNull(a.position());
    return Vector3D.of(p[0], p[1], p[2]);
  }

  private static MeshInfo mesh(TwinVersion v, String structure) {
    return v.structures().stream()
        .filter(s -> s.name().equals(structure))
        .map(TwinVersion.Structure::mesh)
        .findFirst()
        .orElseThrow(
            () ->
                new VersioningException(
                    "versioning:registration.unknown",
                    "version " + v.id() + " has no structure " + structure));
  }

  private static double distanceToStructures(double[] p, TwinVersion v) {
    double best = Double.MAX_VALUE;
    for (TwinVersion.Structure s : v.structures()) {
      double[] b = s.mesh().bounds();
      double sum = 0;
      for (int k = 0; k < 3; k++) {
        double d = Math.max(0, Math.max(b[k] - p[k], p[k] - b[k + 3]));
        sum += d * d;
      }
      best = Math.min(best, Math.sqrt(sum));
    }
    return best;
  }

  // ---------------------------------------------------------------- helpers

  private TwinVersion version(TwinVersionId id) {
    return twins.requireVersion(id);
  }

  private org.anatwin.model.PatientKey patientOf(TwinVersion v) {
    return twins
        .twin(v.twin())
        .map(Twin::patient)
        .orElseThrow(
            () -> new VersioningException("versioning:version.unknown", "no twin " + v.twin()));
  }

  private static void checkBranchName(String name) {
    if (!BRANCH.matcher(name).matches() || name.equals(Twins.MAIN)) {
      throw new VersioningException(
          "versioning:branch.name",
          "a branch name is 1-64 of a-z, 0-9, '.', '_', '/', '-' and not main, not '" + name + "'");
    }
  }

  private void audit(
      Instant time, Actor actor, String action, List<String> subjects, String detail) {
    audit.append(AuditEvent.success(time, actor, action, subjects, detail));
  }

  private static double sq(double x) {
    return x * x;
  }
}

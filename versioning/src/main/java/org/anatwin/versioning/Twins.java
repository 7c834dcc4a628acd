package org.anatwin.versioning;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.anatwin.model.Activity;
import org.anatwin.model.Actor;
import org.anatwin.model.Agent;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.AuditSink;
import org.anatwin.model.ContentHash;
import org.anatwin.model.MeshId;
import org.anatwin.model.PatientKey;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.SopInstanceUid;
import org.anatwin.model.SourceInstance;
import org.anatwin.model.TriangleMesh;
import org.anatwin.model.TwinId;
import org.anatwin.model.TwinVersionId;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeSource;
import org.anatwin.modeling.LabelMap;
import org.anatwin.modeling.Modeling;
import org.anatwin.modeling.Segmentations;
import org.anatwin.modeling.Surface;
import org.anatwin.registration.Registrations;
import org.anatwin.registration.SurfaceRegistration;
import org.anatwin.storage.Storage;
import org.anatwin.versioning.persistence.TwinRepository;
import org.jspecify.annotations.Nullable;

/**
 * Entry point of the versioning module. Builds a new immutable version of a patient's twin from a
 * stored series: the series' volume, one threshold label map and one closed surface per structure,
 * the STL of each surface as a blob, then the version with every entity and activity in one graph
 * transaction. A patient has one twin; its first version has no parent.
 */
public final class Twins {
  public static final String MAIN = TwinRepository.MAIN;
  private static final Agent SOFTWARE = Agent.anatwin();

  private final Storage storage;
  private final VolumeSource volumes;
  private final AuditSink audit;
  private final Clock clock;
  private final TwinRepository repository;
  private final VersionListener events;

  /** Told of each new version once it is stored (e.g. to push it to subscribers). */
  @FunctionalInterface
  public interface VersionListener {
    void versionBuilt(TwinVersion version);
  }

  public Twins(Storage storage, VolumeSource volumes, AuditSink audit, Clock clock) {
    this(storage, volumes, audit, clock, v -> {});
  }

  /** With a listener told of every version made, after it is stored. */
  public Twins(
      Storage storage, VolumeSource volumes, AuditSink audit, Clock clock, VersionListener events) {
    this.events = events;
    this.storage = storage;
    this.volumes = volumes;
    this.audit = audit;
    this.clock = clock;
    this.repository = new TwinRepository(storage.graph());
  }

  /** Builds the next version on the main branch of the series' patient's twin. */
  public TwinVersion buildVersion(
      SeriesInstanceUid series, List<StructureSpec> specs, Actor actor) {
    return buildVersion(series, specs, MAIN, actor);
  }

  /**
   * Builds the next version on a branch of the series' patient's twin (the branch must exist, or be
   * main), registered onto the branch's head; refused with {@code versioning:version.conflict} when
   * another build moved the head meanwhile.
   */
  public TwinVersion buildVersion(
      SeriesInstanceUid series, List<StructureSpec> specs, String branch, Actor actor) {
    if (specs.isEmpty()) {
      throw new VersioningException(
          "versioning:version.no-structures", "a version needs at least one structure");
    }
    if (specs.stream().map(StructureSpec::name).distinct().count() != specs.size()) {
      throw new VersioningException(
          "versioning:version.duplicate-structure", "structure names must be distinct");
    }
    String names = specs.stream().map(StructureSpec::name).toList().toString();
    return build(
        series,
        branch,
        actor,
        volume ->
            specs.stream()
                .map(
                    spec -> {
                      LabelMap labels =
                          Modeling.createThresholdLabelMap(
                              volume, spec.minimumHu(), spec.maximumHu());
                      // the surface between voxel centres, from the HU values, around exactly the
                      // segmented object
                      Surface surface =
                          Modeling.createIsoSurface(volume, labels, spec.minimumHu(), 0);
                      return new Segmented(
                          spec.name(),
                          labels,
                          List.of(volume.id()),
                          List.of(),
                          surface,
                          List.of(labels.id(), volume.id()));
                    })
                .toList(),
        "twin.build-version",
        "branch=" + branch + " structures=" + names);
  }

  /**
   * Builds the next version on a branch from a stored DICOM Segmentation or RT Structure Set drawn
   * on {@code series} (made in 3D Slicer, a planning system, another PACS): one structure per
   * segment or ROI, or per one of {@code segments} (Segment / ROI Numbers) when given; segments
   * without a voxel are left out unless asked for by number. The object must belong to the series'
   * patient and share its frame of reference; its instance is an input of every label map in
   * lineage. Like every version, its segmentation awaits a radiologist's approval before printing.
   */
  public TwinVersion buildVersionFromSegmentation(
      SeriesInstanceUid series,
      SopInstanceUid segmentation,
      @Nullable List<Integer> segments,
      String branch,
      Actor actor) {
    VolumeSource.StoredObject object = volumes.instance(segmentation);
    if (!volumes.patientOf(object.series()).equals(volumes.patientOf(series))) {
      throw new VersioningException(
          "versioning:segmentation.other-patient",
          "segmentation " + segmentation.value() + " belongs to another patient than the series");
    }
    List<Integer> wanted = segments == null ? List.of() : List.copyOf(segments);
    return build(
        series,
        branch,
        actor,
        volume -> {
          List<Segmentations.Segment> all = Segmentations.fromDicom(object.bytes(), volume);
          for (Integer number : wanted) {
            if (all.stream().noneMatch(segment -> segment.number() == number)) {
              throw new VersioningException(
                  "versioning:segmentation.no-segment",
                  "segmentation " + segmentation.value() + " has no segment " + number);
            }
          }
          List<Segmented> out = new ArrayList<>();
          java.util.Set<String> names = new java.util.HashSet<>();
          for (Segmentations.Segment segment : all) {
            boolean asked = wanted.contains(segment.number());
            if (!wanted.isEmpty() && !asked) {
              continue;
            }
            if (!segment.frame().equals(volume.frameOfReference())) {
              throw new VersioningException(
                  "versioning:segmentation.frame-mismatch",
                  "segment "
                      + segment.number()
                      + " lies in frame of reference "
                      + segment.frame().value()
                      + ", the series in "
                      + volume.frameOfReference().value());
            }
            LabelMap labels = segment.labelMap();
            if (labels.labelledVoxels() == 0) {
              if (asked) {
                throw new VersioningException(
                    "versioning:segmentation.empty-segment",
                    "segment " + segment.number() + " has no voxel");
              }
              continue;
            }
            String name =
                segment.label().isBlank() ? "segment-" + segment.number() : segment.label();
            if (!names.add(name)) {
              name = name + "-" + segment.number();
              names.add(name);
            }
            Surface surface = Modeling.createSurface(labels, volume.frameOfReference());
            out.add(
                new Segmented(
                    name,
                    labels,
                    List.of(volume.id(), segmentation.entityId()),
                    List.of(),
                    surface,
                    List.of(labels.id())));
          }
          if (out.isEmpty()) {
            throw new VersioningException(
                "versioning:segmentation.empty",
                "segmentation " + segmentation.value() + " has no segment with a voxel");
          }
          return out;
        },
        "twin.build-version",
        "branch="
            + branch
            + " segmentation="
            + segmentation.value()
            + " sopClassUid="
            + object.sopClassUid()
            + (wanted.isEmpty() ? "" : " segments=" + wanted));
  }

  /**
   * One structure of a version as it was segmented: its label map and what the segmentation used
   * besides the volume (a model) and which agents besides the person and Anatwin (the model as
   * software); its surface and what the surface was made from.
   */
  private record Segmented(
      String name,
      LabelMap labels,
      List<String> labelsUsed,
      List<Agent> labelAgents,
      Surface surface,
      List<String> surfaceUsed) {}

  /** How a build segments the series' volume into its structures. */
  @FunctionalInterface
  private interface Segmenter {
    List<Segmented> segment(Volume volume);
  }

  /** Name of a network's proposal of a version, as the audit log records it. */
  public static final String PROPOSE_ACTION = "twin.propose-version";

  /**
   * Builds the next version on the main branch from a segmentation model's labels, one structure
   * per label the model finds (named as the model names it, surfaced from its label map). The
   * version is PROPOSED: only a radiologist's approval makes its meshes printable. The model (its
   * registry entity, with the ONNX file's hash) is an input of every label map in lineage, and the
   * model's software an agent. Refused when the model was not made for the series (modality, body
   * part, orientation, dimensions) or finds nothing ({@code versioning:model.nothing-found}).
   */
  public TwinVersion proposeVersion(
      SeriesInstanceUid series,
      RegisteredModel model,
      org.anatwin.modeling.SegmentationModel network,
      String modality,
      String bodyPart,
      Actor actor) {
    Agent software = Agent.software(model.name(), model.version());
    return build(
        series,
        MAIN,
        actor,
        volume -> {
          List<Segmented> out = new ArrayList<>();
          for (var segment : network.segment(volume, modality, bodyPart)) {
            LabelMap labels = segment.labelMap();
            Surface surface = Modeling.createSurface(labels, volume.frameOfReference());
            out.add(
                new Segmented(
                    segment.label().name(),
                    labels,
                    List.of(volume.id(), model.id()),
                    List.of(software),
                    surface,
                    List.of(labels.id())));
          }
          if (out.isEmpty()) {
            throw new VersioningException(
                "versioning:model.nothing-found",
                "model " + model.key() + " found none of its labels in series " + series.value());
          }
          return out;
        },
        PROPOSE_ACTION,
        "model="
            + model.key()
            + " onnxSha256="
            + model.onnxSha256()
            + " proposed (awaits a radiologist)");
  }

  private TwinVersion build(
      SeriesInstanceUid series,
      String branch,
      Actor actor,
      Segmenter segmenter,
      String action,
      String detail) {
    PatientKey patient = volumes.patientOf(series);
    // the head this build registers against; saving checks it is still the head
    String head = repository.head(twinOf(patient), branch).orElse(null);
    TwinVersion parent = head == null ? null : version(TwinVersionId.parse(head)).orElseThrow();
    Volume volume = volumes.volumeOf(series);
    Instant time = clock.instant();
    List<Agent> agents = List.of(actor.agent(), SOFTWARE);
    List<Activity> derivations = new ArrayList<>();
    derivations.add(
        Activity.of(
            volume.algorithm(),
            volume.algorithmVersion(),
            volumeParameters(volume),
            instanceIds(volume.sources()),
            List.of(volume.id()),
            agents,
            time));
    List<TwinRepository.StructureRow> structures = new ArrayList<>();
    List<RegistrationInfo> registrations = new ArrayList<>();
    for (Segmented structure : segmenter.segment(volume)) {
      LabelMap labels = structure.labels();
      Surface surface = structure.surface();
      ContentHash stl = storage.blobs().put(Modeling.toStl(surface.mesh()));
      MeshInfo mesh =
          MeshInfo.of(
              MeshId.parse(surface.id()),
              structure.name(),
              stl,
              surface.frameOfReference().value(),
              surface.report(),
              surface.repairs(),
              surface.algorithm() + " " + surface.algorithmVersion(),
              null);
      structures.add(
          new TwinRepository.StructureRow(
              structure.name(),
              new TwinRepository.LabelMapRow(
                  labels.id(),
                  labels.algorithm() + " " + labels.algorithmVersion(),
                  labels.parameters().toString(),
                  labels.labelledVoxels(),
                  labels.contentHash().hex()),
              mesh));
      List<Agent> labelAgents = new ArrayList<>(agents);
      labelAgents.addAll(structure.labelAgents());
      derivations.add(
          Activity.of(
              labels.algorithm(),
              labels.algorithmVersion(),
              labels.parameters(),
              structure.labelsUsed(),
              List.of(labels.id()),
              labelAgents,
              time));
      derivations.add(
          Activity.of(
              surface.algorithm(),
              surface.algorithmVersion(),
              surface.parameters(),
              structure.surfaceUsed(),
              List.of(surface.id()),
              agents,
              time));
      MeshInfo prior = parent == null ? null : structureMesh(parent, structure.name());
      if (prior != null && !prior.id().value().equals(surface.id())) {
        RegistrationInfo registration = register(prior, surface, structure.name());
        registrations.add(registration);
        derivations.add(
            Activity.of(
                Registrations.ICP,
                Registrations.ICP_VERSION,
                Map.of(
                    "initialisation", registration.initialisation(),
                    "keep", Double.toString(Registrations.IcpOptions.defaults().keep())),
                List.of(surface.id(), prior.id().value()),
                List.of(registration.id()),
                agents,
                time));
      }
    }
    var g = volume.geometry();
    TwinRepository.VolumeRow volumeRow =
        new TwinRepository.VolumeRow(
            volume.id(),
            series.value(),
            volume.frameOfReference().value(),
            List.of((long) g.nx(), (long) g.ny(), (long) g.nz()),
            List.of(g.sx(), g.sy(), g.sz()),
            List.of(g.origin().getX(), g.origin().getY(), g.origin().getZ()),
            volume.contentHash().hex());
    TwinId twin = twinOf(patient);
    // the version and its audit event commit together, or neither does (fail closed)
    TwinVersionId id =
        storage
            .graph()
            .atomically(
                () -> {
                  TwinVersionId saved =
                      repository.saveVersion(
                          new TwinRepository.VersionDraft(
                              twin,
                              patient,
                              branch,
                              null,
                              series.value(),
                              volumeRow,
                              structures,
                              derivations,
                              agents,
                              actor.userName(),
                              time,
                              head,
                              registrations));
                  audit.append(
                      AuditEvent.success(
                          time,
                          actor,
                          action,
                          List.of(saved.value(), twin.value(), series.value()),
                          detail));
                  return saved;
                });
    TwinVersion built = version(id).orElseThrow();
    for (RegistrationInfo r : built.registrations()) {
      if (!r.needsReview()) {
        storeSpatialRegistration(built, r.structure());
      }
    }
    built = version(id).orElseThrow();
    events.versionBuilt(built);
    return built;
  }

  /** Name of a radiologist's review of a segmentation, as recorded in lineage. */
  public static final String SEGMENTATION_REVIEW = "anatwin.segmentation.review";

  /**
   * A radiologist signs the segmentation of a version: approved or rejected, with the signature's
   * meaning and reason. Once decided, the decision stands (a rejected segmentation is redone as a
   * new version); nobody signs a version they built. The review is an entity derived from the
   * version's meshes in lineage (its version id is a property), so every print of them names it.
   */
  public TwinVersion approveSegmentation(
      TwinVersionId version, boolean approved, String meaning, String reason, Actor actor) {
    if (meaning.isBlank() || reason.isBlank()) {
      throw new VersioningException(
          "versioning:segmentation.signature",
          "a signature needs its meaning (e.g. 'segmentation approved') and a reason");
    }
    TwinVersion found = requireVersion(version);
    if (found.author().equals(actor.userName())) {
      throw new VersioningException(
          "versioning:segmentation.own-version",
          "nobody signs the segmentation of a version they built");
    }
    Instant time = clock.instant();
    storage
        .graph()
        .atomically(
            () -> {
              sign(found, approved, meaning, reason, actor, time);
              audit.append(
                  AuditEvent.success(
                      time,
                      actor,
                      approved ? "twin.approve-segmentation" : "twin.reject-segmentation",
                      List.of(version.value()),
                      meaning + ": " + reason));
            });
    return found;
  }

  /**
   * Records a signed review of a version's segmentation with its lineage, in the caller's
   * transaction: an entity derived from the version's meshes (its version id is a property), so
   * every print of them names it.
   */
  private void sign(
      TwinVersion found,
      boolean approved,
      String meaning,
      String reason,
      Actor actor,
      Instant time) {
    String reviewId =
        org.anatwin.model.DerivedIds.createId(
            "segmentation-review", found.id().value(), actor.userName(), time.toString());
    repository.reviewSegmentation(
        new SegmentationReview(
            reviewId,
            found.id().value(),
            approved,
            meaning,
            reason,
            actor.userName(),
            actor.role(),
            time),
        Activity.of(
            SEGMENTATION_REVIEW,
            "1",
            Map.of(
                "decision", approved ? "approved" : "rejected",
                "meaning", meaning,
                "reason", reason),
            // the meshes signed, not the version: a version also derives from its parent, whose
            // sources a print of these meshes did not use
            found.structures().stream()
                .map(st -> st.mesh().id().value())
                .distinct()
                .sorted()
                .toList(),
            List.of(reviewId),
            List.of(actor.agent()),
            time));
  }

  /** Name of a radiologist's correction of a proposed segmentation, as the audit log records it. */
  public static final String CORRECT_ACTION = "twin.correct-segmentation";

  /**
   * A radiologist corrects a proposed segmentation (a model's proposal, or any version not yet
   * signed) by segmenting the same series with HU thresholds instead: the correction is built as
   * the next version of the proposal's branch, authored by the radiologist, and signed by them as
   * approved (the correction is their own signed reading, so the rule that nobody signs a version
   * they built does not apply here); the proposal is signed as rejected, naming the correction.
   * Both signatures and the audit event commit together. Refused when the proposal was signed
   * already ({@code versioning:segmentation.decided}) or the reason is blank.
   */
  public TwinVersion correctSegmentation(
      TwinVersionId proposal, List<StructureSpec> specs, String reason, Actor actor) {
    if (reason.isBlank()) {
      throw new VersioningException(
          "versioning:segmentation.signature", "a correction needs a reason");
    }
    TwinVersion proposed = requireVersion(proposal);
    if (repository.segmentationReviews(List.of(proposal.value())).containsKey(proposal.value())) {
      throw new VersioningException(
          "versioning:segmentation.decided",
          "the segmentation of version " + proposal.value() + " was signed already");
    }
    TwinVersion corrected =
        buildVersion(
            org.anatwin.model.SeriesInstanceUid.of(proposed.sourceSeries()),
            specs,
            proposed.branch(),
            actor);
    Instant time = clock.instant();
    storage
        .graph()
        .atomically(
            () -> {
              sign(
                  proposed,
                  false,
                  "segmentation corrected",
                  reason + " (corrected in version " + corrected.number() + ")",
                  actor,
                  time);
              sign(corrected, true, "segmentation corrected and approved", reason, actor, time);
              audit.append(
                  AuditEvent.success(
                      time,
                      actor,
                      CORRECT_ACTION,
                      List.of(proposal.value(), corrected.id().value()),
                      reason));
            });
    return corrected;
  }

  /** Each version's segmentation review, where it has one, by version id. */
  public Map<String, SegmentationReview> segmentationReviews(List<String> versionIds) {
    return repository.segmentationReviews(versionIds);
  }

  /** Name of a person's review of a registration, as recorded in lineage. */
  public static final String REGISTRATION_REVIEW = "anatwin.registration.review";

  /**
   * A person accepts a registration that was flagged for review (poor overlap or residual), with a
   * reason: recorded as a review entity derived from the registration, in lineage and the audit
   * log; the version then counts as ACCEPTED. Versions stay immutable: the review is a new entity.
   */
  public TwinVersion acceptRegistration(
      TwinVersionId version, String structure, String reason, Actor actor) {
    if (reason.isBlank()) {
      throw new VersioningException(
          "versioning:registration.reason", "accepting a flagged registration needs a reason");
    }
    TwinVersion found = requireVersion(version);
    RegistrationInfo registration =
        found.registrations().stream()
            .filter(r -> r.structure().equals(structure))
            .findFirst()
            .orElseThrow(
                () ->
                    new VersioningException(
                        "versioning:registration.not-pending",
                        "version " + version + " has no registration of " + structure));
    Instant time = clock.instant();
    String reviewId =
        org.anatwin.model.DerivedIds.createId(
            "registration-review", registration.id(), actor.userName(), time.toString());
    storage
        .graph()
        .atomically(
            () -> {
              repository.acceptRegistration(
                  version.value(),
                  structure,
                  reviewId,
                  Activity.of(
                      REGISTRATION_REVIEW,
                      "1",
                      Map.of("decision", "accepted", "reason", reason),
                      List.of(registration.id()),
                      List.of(reviewId),
                      List.of(actor.agent()),
                      time),
                  actor.role(),
                  reason);
              audit.append(
                  AuditEvent.success(
                      time,
                      actor,
                      "twin.accept-registration",
                      List.of(version.value(), registration.id()),
                      reason));
            });
    storeSpatialRegistration(version(version).orElseThrow(), structure);
    return version(version).orElseThrow();
  }

  /** Name and version of the DICOM Spatial Registration writer, as recorded in lineage. */
  public static final String SPATIAL_REGISTRATION_OBJECT = "anatwin.dicom.spatial-registration";

  /**
   * Stores a version's registration of a structure as a DICOM Spatial Registration object (a blob)
   * and records it in lineage as derived from the registration, once the registration counts.
   * Written after the version's transaction: if the service stops in between, the object is made on
   * request instead, with the same bytes (its UIDs and content derive from the registration).
   */
  public void storeSpatialRegistration(TwinVersion version, String structure) {
    RegistrationInfo registration = registrationOf(version, structure);
    if (registration.dicomSha256() != null) {
      return;
    }
    byte[] bytes = makeRegistrationFile(version, registration);
    ContentHash sha = storage.blobs().put(bytes);
    String sop = derivedUid("registration-instance", registration.id());
    String id = org.anatwin.model.DerivedIds.createId("dicom", sop);
    repository.recordDicomObject(
        id,
        org.anatwin.modeling.DicomModels.SPATIAL_REGISTRATION,
        sop,
        sha,
        structure + " spatial registration",
        Activity.of(
            SPATIAL_REGISTRATION_OBJECT,
            "1",
            Map.of("sopClassUid", org.anatwin.modeling.DicomModels.SPATIAL_REGISTRATION),
            List.of(registration.id()),
            List.of(id),
            List.of(SOFTWARE),
            clock.instant()));
  }

  private static RegistrationInfo registrationOf(TwinVersion version, String structure) {
    return version.registrations().stream()
        .filter(r -> r.structure().equals(structure))
        .findFirst()
        .orElseThrow(
            () ->
                new VersioningException(
                    "versioning:registration.unknown",
                    "version " + version.id() + " has no registration of " + structure));
  }

  /**
   * A structure's difference between two versions, with the version's mesh in the other's frame.
   */
  public record StructureDiff(
      String structure, TriangleMesh mesh, org.anatwin.modeling.SurfaceDiff diff) {}

  /**
   * How each structure of {@code version} differs from the same structure of {@code against}: the
   * version's mesh is brought into the other's frame by its registration when {@code against} is
   * its parent, and taken as it is when both meshes share a frame of reference; otherwise the diff
   * is refused ({@code versioning:diff.unregistered}). Structures only one of them has are left
   * out.
   */
  public List<StructureDiff> diff(TwinVersionId version, TwinVersionId against) {
    TwinVersion changed = requireVersion(version);
    TwinVersion reference = requireVersion(against);
    if (!changed.twin().equals(reference.twin())) {
      throw new VersioningException(
          "versioning:diff.other-twin",
          "versions " + version + " and " + against + " are of two twins");
    }
    List<StructureDiff> out = new ArrayList<>();
    for (TwinVersion.Structure s : changed.structures()) {
      MeshInfo other = structureMesh(reference, s.name());
      if (other == null) {
        continue;
      }
      TriangleMesh mesh = Modeling.fromStl(stl(s.mesh()));
      RegistrationInfo registration =
          against.equals(changed.parent())
              ? changed.registrations().stream()
                  .filter(r -> r.structure().equals(s.name()))
                  .findFirst()
                  .orElse(null)
              : null;
      if (registration != null) {
        mesh = transformed(mesh, registration.matrix());
      } else if (!s.mesh().frameOfReferenceUid().equals(other.frameOfReferenceUid())) {
        throw new VersioningException(
            "versioning:diff.unregistered",
            "structure "
                + s.name()
                + " of "
                + version
                + " is in another frame of reference than in "
                + against
                + " and no registration joins them");
      }
      out.add(new StructureDiff(s.name(), mesh, Modeling.diff(mesh, Modeling.fromStl(stl(other)))));
    }
    return out;
  }

  private static TriangleMesh transformed(TriangleMesh mesh, double[] m) {
    float[] p = mesh.points();
    float[] q = new float[p.length];
    for (int v = 0; v < p.length; v += 3) {
      double x = p[v], y = p[v + 1], z = p[v + 2];
      q[v] = (float) (m[0] * x + m[1] * y + m[2] * z + m[3]);
      q[v + 1] = (float) (m[4] * x + m[5] * y + m[6] * z + m[7]);
      q[v + 2] = (float) (m[8] * x + m[9] * y + m[10] * z + m[11]);
    }
    return new TriangleMesh(q, mesh.triangles());
  }

  private static @Nullable MeshInfo structureMesh(TwinVersion version, String name) {
    for (TwinVersion.Structure s : version.structures()) {
      if (s.name().equals(name)) {
        return s.mesh();
      }
    }
    return null;
  }

  /**
   * Rigid ICP of the new surface onto the parent version's mesh of the same structure: the identity
   * start when both share a frame of reference, principal axes otherwise. A poor fit is kept and
   * flagged for review, never dropped or silently accepted.
   */
  private RegistrationInfo register(MeshInfo prior, Surface surface, String structure) {
    TriangleMesh fixed = Modeling.fromStl(stl(prior));
    boolean sameFrame = prior.frameOfReferenceUid().equals(surface.frameOfReference().value());
    SurfaceRegistration result =
        Registrations.registerSurfaces(
            fixed, surface.mesh(), sameFrame, Registrations.IcpOptions.defaults());
    return RegistrationInfo.of(
        org.anatwin.model.DerivedIds.createId(
            "registration",
            prior.id().value(),
            surface.id(),
            Registrations.ICP,
            Registrations.ICP_VERSION),
        structure,
        prior.id().value(),
        surface.id(),
        result);
  }

  /** The twin of a patient has an id derived from the patient key. */
  public static TwinId twinOf(PatientKey patient) {
    return TwinId.createDerived(patient.value());
  }

  public Optional<Twin> twin(TwinId id) {
    return repository.twin(id);
  }

  /**
   * A twin with its patient's properties read in the same statement (PHI: the caller shows them
   * only as the reader's role allows, as for any patient read).
   */
  public Optional<TwinWithPatient> twinWithPatient(TwinId id) {
    return repository.twinWithPatient(id);
  }

  public List<Twin> twins(int limit, @Nullable String after) {
    return repository.twins(limit, after);
  }

  public Map<String, List<Twin>> twinsOfPatients(List<String> patientIds) {
    return repository.twinsOfPatients(patientIds);
  }

  /** Version ids of each twin, oldest first. */
  public Map<String, List<String>> versionIdsOfTwins(List<String> twinIds) {
    return repository.versionIdsOfTwins(twinIds);
  }

  /** The version, or the version-unknown refusal. */
  public TwinVersion requireVersion(TwinVersionId id) {
    return version(id)
        .orElseThrow(
            () -> new VersioningException("versioning:version.unknown", "no twin version " + id));
  }

  public Optional<TwinVersion> version(TwinVersionId id) {
    return repository.versions(List.of(id.value())).stream().findFirst();
  }

  public List<TwinVersion> versions(List<String> ids) {
    return repository.versions(ids);
  }

  public Optional<MeshInfo> mesh(MeshId id) {
    return repository.mesh(id);
  }

  /** The meshes with these ids, by id, in one query; unknown ids are absent. */
  public Map<String, MeshInfo> meshes(List<String> ids) {
    Map<String, MeshInfo> byId = new java.util.HashMap<>();
    repository.meshes(ids).forEach(m -> byId.put(m.id().value(), m));
    return byId;
  }

  /**
   * A mesh as a file: the stored STL (checked against its hash), or OBJ, PLY or 3MF made from it.
   * Exports carry ids and the frame of reference, never patient data, and no timestamps, so the
   * same mesh always gives the same bytes.
   */
  public byte[] meshFile(MeshInfo mesh, MeshFormat format) {
    byte[] stl = stl(mesh);
    return switch (format) {
      case STL -> stl;
      case STL_ASCII, OBJ, PLY, THREE_MF ->
          Modeling.export(
              Modeling.fromStl(stl),
              format.extension(),
              Map.of(
                  "Application", "Anatwin " + Agent.VERSION,
                  "anatwin:mesh", mesh.id().value(),
                  "anatwin:structure", mesh.structure(),
                  "anatwin:frameOfReferenceUid", mesh.frameOfReferenceUid(),
                  "anatwin:stlSha256", mesh.sha256().hex()));
      case DICOM_STL -> encapsulated(mesh, Modeling.fromStl(stl), false);
      case DICOM_OBJ -> encapsulated(mesh, Modeling.fromStl(stl), true);
    };
  }

  /**
   * The mesh as DICOM Encapsulated STL or OBJ in its patient's study: source instances from the
   * lineage, model group = its twin version, content time = the version's creation; UIDs derived
   * from the ids, so the same mesh always gives the same object.
   */
  private byte[] encapsulated(
      MeshInfo mesh, org.anatwin.model.TriangleMesh triangles, boolean obj) {
    TwinRepository.DicomContextRow row =
        repository
            .dicomContext(mesh.id())
            .orElseThrow(
                () ->
                    new VersioningException(
                        "versioning:mesh.no-source",
                        "mesh " + mesh.id() + " belongs to no twin version with a source series"));
    java.time.ZonedDateTime created =
        java.time.Instant.parse(row.createdAt()).atZone(java.time.ZoneOffset.UTC);
    String date = created.format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE).substring(0, 8);
    String time = created.format(java.time.format.DateTimeFormatter.ofPattern("HHmmss"));
    List<org.anatwin.modeling.DicomModels.Source> sources = sources(row);
    // stored as "name version": each goes in its own attribute (LO, 64 characters each)
    int space = mesh.algorithm().indexOf(' ');
    String algorithmName = space < 0 ? mesh.algorithm() : mesh.algorithm().substring(0, space);
    String algorithmVersion = space < 0 ? Agent.VERSION : mesh.algorithm().substring(space + 1);
    var context =
        new org.anatwin.modeling.DicomModels.Context(
            text(row.patient().get("name")),
            text(row.patient().get("patientId")),
            text(row.patient().get("birthDate")),
            text(row.patient().get("sex")),
            text(row.study().get("uid")),
            text(row.study().get("date")),
            "",
            text(row.study().get("accessionNumber")),
            "",
            mesh.frameOfReferenceUid(),
            derivedUid("series", mesh.id().value()),
            900,
            derivedUid(obj ? "instance-obj" : "instance", mesh.id().value()),
            derivedUid("model-group", row.versionId()),
            date,
            time,
            row.structure(),
            sources,
            algorithmName,
            algorithmVersion,
            "mesh " + mesh.id().value() + ", STL sha256 " + mesh.sha256().hex(),
            Agent.VERSION);
    return obj
        ? org.anatwin.modeling.DicomModels.encapsulatedObj(triangles, context)
        : org.anatwin.modeling.DicomModels.encapsulatedStl(triangles, context);
  }

  /**
   * A version's registration of one structure as a DICOM Spatial Registration object in the new
   * series' study: the registered coordinate system is the parent mesh's frame of reference, the
   * first item names the parent mesh's source images (identity), the second the new mesh's with the
   * ICP matrix. UIDs derive from the registration id, so the same registration gives the same
   * bytes.
   */
  public byte[] registrationFile(TwinVersion version, String structure) {
    RegistrationInfo registration = registrationOf(version, structure);
    if (registration.dicomSha256() != null) {
      return storage.blobs().get(ContentHash.parse(registration.dicomSha256()));
    }
    return makeRegistrationFile(version, registration);
  }

  private byte[] makeRegistrationFile(TwinVersion version, RegistrationInfo registration) {
    String structure = registration.structure();
    TwinRepository.DicomContextRow fixed = dicomContextOf(registration.fixedMesh());
    TwinRepository.DicomContextRow moving = dicomContextOf(registration.movingMesh());
    java.time.ZonedDateTime created =
        java.time.Instant.parse(moving.createdAt()).atZone(java.time.ZoneOffset.UTC);
    String frame =
        mesh(MeshId.parse(registration.fixedMesh()))
            .map(MeshInfo::frameOfReferenceUid)
            .orElseThrow();
    var context =
        new org.anatwin.modeling.DicomModels.Context(
            text(moving.patient().get("name")),
            text(moving.patient().get("patientId")),
            text(moving.patient().get("birthDate")),
            text(moving.patient().get("sex")),
            text(moving.study().get("uid")),
            text(moving.study().get("date")),
            "",
            text(moving.study().get("accessionNumber")),
            "",
            frame,
            derivedUid("registration-series", registration.id()),
            901,
            derivedUid("registration-instance", registration.id()),
            derivedUid("model-group", moving.versionId()),
            created.format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE).substring(0, 8),
            created.format(java.time.format.DateTimeFormatter.ofPattern("HHmmss")),
            structure + " registered onto the parent version",
            sources(fixed),
            Registrations.ICP,
            Registrations.ICP_VERSION,
            registration.initialisation(),
            Agent.VERSION);
    return org.anatwin.modeling.DicomModels.spatialRegistration(
        context,
        sources(moving),
        registration.matrix(),
        String.format(
            java.util.Locale.ROOT,
            "point-to-plane ICP, rms %.3f mm, overlap %.3f",
            registration.rmsMm(),
            registration.overlap()));
  }

  private TwinRepository.DicomContextRow dicomContextOf(String meshId) {
    return repository
        .dicomContext(MeshId.parse(meshId))
        .orElseThrow(
            () ->
                new VersioningException(
                    "versioning:mesh.no-source",
                    "mesh " + meshId + " belongs to no twin version with a source series"));
  }

  private static List<org.anatwin.modeling.DicomModels.Source> sources(
      TwinRepository.DicomContextRow row) {
    return row.sources().stream()
        .map(
            s ->
                new org.anatwin.modeling.DicomModels.Source(
                    text(s.get("series")), text(s.get("sopClass")), text(s.get("sop"))))
        .toList();
  }

  private static String text(@org.jspecify.annotations.Nullable Object value) {
    return value == null ? "" : value.toString();
  }

  /** A UID under the 2.25 root from a hash of what it names (ISO/IEC 9834-8 style). */
  static String derivedUid(String purpose, String id) {
    String hex =
        ContentHash.of((purpose + ":" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .hex();
    return "2.25." + new java.math.BigInteger(hex.substring(0, 32), 16);
  }

  /** The STL bytes of a mesh, checked against their hash. */
  public byte[] stl(MeshInfo mesh) {
    return storage.blobs().get(mesh.sha256());
  }

  private static Map<String, String> volumeParameters(Volume volume) {
    Map<String, String> parameters = new java.util.TreeMap<>(volume.parameters());
    parameters.put("series", volume.series().value());
    return parameters;
  }

  private static List<String> instanceIds(List<SourceInstance> sources) {
    return sources.stream().map(s -> s.sopInstanceUid().entityId()).toList();
  }
}

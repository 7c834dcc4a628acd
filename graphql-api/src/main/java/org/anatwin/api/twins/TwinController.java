package org.anatwin.api.twins;

import graphql.schema.DataFetchingFieldSelectionSet;
import graphql.schema.SelectedField;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.anatwin.api.CurrentActor;
import org.anatwin.api.Ids;
import org.anatwin.api.Pages;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.MeshId;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.SopInstanceUid;
import org.anatwin.model.TwinId;
import org.anatwin.model.TwinVersionId;
import org.anatwin.versioning.StructureSpec;
import org.anatwin.versioning.Twin;
import org.anatwin.versioning.TwinPlans;
import org.anatwin.versioning.TwinVersion;
import org.anatwin.versioning.Twins;
import org.anatwin.versioning.VersionPages;
import org.dataloader.DataLoader;
import org.jspecify.annotations.Nullable;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;

@Controller
class TwinController {
  private final Twins twins;
  private final TwinPlans plans;
  private final Ingest ingest;

  TwinController(Twins twins, TwinPlans plans, Ingest ingest) {
    this.twins = twins;
    this.plans = plans;
    this.ingest = ingest;
  }

  /** A twin; {@code patient} holds its patient's node when it was read with the twin. */
  record TwinView(
      String id,
      String patientKey,
      int versionCount,
      String createdAt,
      @Nullable Map<String, Object> patient) {
    static TwinView from(Twin t) {
      return new TwinView(
          t.id().value(), t.patient().value(), t.versionCount(), t.createdAt().toString(), null);
    }

    static TwinView from(org.anatwin.versioning.TwinWithPatient read) {
      Twin t = read.twin();
      return new TwinView(
          t.id().value(),
          t.patient().value(),
          t.versionCount(),
          t.createdAt().toString(),
          read.patient());
    }
  }

  record StructureView(String name, MeshView mesh) {}

  record VersionView(
      String id,
      String twinId,
      int number,
      String branch,
      @Nullable String parentId,
      String sourceSeriesUid,
      String author,
      String createdAt,
      List<StructureView> structures,
      String registration,
      List<RegistrationView> registrations) {
    static VersionView from(TwinVersion v) {
      return new VersionView(
          v.id().value(),
          v.twin().value(),
          v.number(),
          v.branch(),
          v.parent() == null ? null : v.parent().value(),
          v.sourceSeries(),
          v.author(),
          v.createdAt().toString(),
          v.structures().stream()
              .map(s -> new StructureView(s.name(), MeshView.from(s.mesh())))
              .toList(),
          v.registration(),
          v.registrations().stream().map(r -> RegistrationView.from(v.id().value(), r)).toList());
    }
  }

  /** A structure's rigid registration onto the parent version's mesh of the same structure. */
  record RegistrationView(
      String id,
      String structure,
      String fixedMeshId,
      String movingMeshId,
      List<Double> matrix,
      double rotationDegrees,
      double rmsMm,
      double overlap,
      int iterations,
      boolean converged,
      boolean needsReview,
      String initialisation,
      @Nullable String reviewedBy,
      @Nullable String reviewReason,
      @Nullable String dicomSha256,
      String download) {
    static RegistrationView from(String versionId, org.anatwin.versioning.RegistrationInfo r) {
      return new RegistrationView(
          r.id(),
          r.structure(),
          r.fixedMesh(),
          r.movingMesh(),
          java.util.Arrays.stream(r.matrix()).boxed().toList(),
          r.rotationDegrees(),
          r.rmsMm(),
          r.overlap(),
          r.iterations(),
          r.converged(),
          r.needsReview(),
          r.initialisation(),
          r.reviewedBy(),
          r.reviewReason(),
          r.dicomSha256(),
          "/files/registrations/" + versionId + "/" + r.structure() + ".dcm");
    }
  }

  record StructureInput(String name, int minimumHu, @Nullable Integer maximumHu) {}

  record BuildTwinVersionInput(
      String seriesUid,
      @Nullable String branch,
      @Nullable List<StructureInput> structures,
      @Nullable SegmentationInput segmentation) {}

  record SegmentationInput(String sopInstanceUid, @Nullable List<Integer> segments) {}

  record TwinEdge(String cursor, TwinView node) {}

  record TwinConnection(
      List<TwinEdge> edges, List<TwinView> nodes, PlanController.PageInfoView pageInfo) {}

  /** Twins by id, one page: the cursor is the last twin's id. */
  @QueryMapping
  TwinConnection twins(@Argument @Nullable Integer first, @Argument @Nullable String after) {
    int size = Pages.size(first);
    List<TwinView> rows = twins.twins(size + 1, after).stream().map(TwinView::from).toList();
    List<TwinView> page = rows.subList(0, Math.min(size, rows.size()));
    return new TwinConnection(
        page.stream().map(t -> new TwinEdge(t.id(), t)).toList(),
        page,
        new PlanController.PageInfoView(
            rows.size() > size, page.isEmpty() ? null : page.getLast().id()));
  }

  /**
   * The twin with its patient's node. When the request asks for one page of its versions too (the
   * planners' twin query), that page is read by the same statement and handed to the versions
   * loader: one query for the three instead of two.
   */
  @QueryMapping
  @Nullable TwinView twin(
      @Argument String id,
      DataFetchingFieldSelectionSet selection,
      DataLoader<VersionPages.Key, PlanController.PageView> pages) {
    Optional<TwinId> twinId = Ids.tryParse(id, TwinId::parse);
    if (twinId.isEmpty()) {
      return null;
    }
    Optional<VersionPages.Key> page = onePage(twinId.get(), selection);
    if (page.isPresent()) {
      Optional<VersionPages.TwinWithPage> read = plans.twinWithVersionPage(page.get());
      read.ifPresent(r -> pages.prime(page.get(), PlanController.view(r.page())));
      return read.map(r -> TwinView.from(r.twin())).orElse(null);
    }
    return twins.twinWithPatient(twinId.get()).map(TwinView::from).orElse(null);
  }

  /**
   * The page of versions the selection asks for, when it asks for exactly one (aliases asking for
   * several, or a cursor that is not one, are left to the versions field itself).
   */
  private static Optional<VersionPages.Key> onePage(
      TwinId twin, DataFetchingFieldSelectionSet selection) {
    List<SelectedField> versions =
        selection.getImmediateFields().stream()
            .filter(f -> f.getName().equals("versions"))
            .toList();
    if (versions.size() != 1) {
      return Optional.empty();
    }
    Map<String, Object> args = versions.getFirst().getArguments();
    try {
      return Optional.of(
          PlanController.pageKey(
              twin.value(),
              (String) args.get("branch"),
              (Integer) args.get("first"),
              (String) args.get("after")));
    } catch (org.anatwin.versioning.VersioningException notACursor) {
      return Optional.empty();
    }
  }

  @QueryMapping
  @Nullable VersionView twinVersion(@Argument String id) {
    return Ids.tryParse(id, TwinVersionId::parse)
        .flatMap(twins::version)
        .map(VersionView::from)
        .orElse(null);
  }

  @QueryMapping
  @Nullable MeshView mesh(@Argument String id) {
    return Ids.tryParse(id, MeshId::parse).flatMap(twins::mesh).map(MeshView::from).orElse(null);
  }

  @MutationMapping
  VersionView buildTwinVersion(@Argument BuildTwinVersionInput input) {
    String branch = input.branch() == null ? Twins.MAIN : input.branch();
    if (input.segmentation() != null) {
      if (input.structures() != null && !input.structures().isEmpty()) {
        throw new org.anatwin.api.ApiException(
            "api:version.structures-and-segmentation",
            "a version is built from threshold structures or from a segmentation, not both");
      }
      return VersionView.from(
          twins.buildVersionFromSegmentation(
              SeriesInstanceUid.of(input.seriesUid()),
              Ids.tryParse(input.segmentation().sopInstanceUid(), SopInstanceUid::of)
                  .orElseThrow(
                      () ->
                          new org.anatwin.api.ApiException(
                              "api:segmentation.uid", "not a SOP Instance UID")),
              input.segmentation().segments(),
              branch,
              CurrentActor.get()));
    }
    List<StructureSpec> specs = specs(input.structures());
    return VersionView.from(
        twins.buildVersion(
            SeriesInstanceUid.of(input.seriesUid()), specs, branch, CurrentActor.get()));
  }

  /** The structures asked for, or the bone preset when none. */
  private static List<StructureSpec> specs(@Nullable List<StructureInput> structures) {
    return structures == null || structures.isEmpty()
        ? List.of(StructureSpec.bone())
        : structures.stream()
            .map(
                s ->
                    new StructureSpec(
                        s.name(),
                        s.minimumHu(),
                        s.maximumHu() == null ? Short.MAX_VALUE : s.maximumHu()))
            .toList();
  }

  /** A radiologist replaces a proposed segmentation with thresholds; returns the correction. */
  @MutationMapping
  VersionView correctSegmentation(
      @Argument String versionId,
      @Argument @Nullable List<StructureInput> structures,
      @Argument String reason) {
    return VersionView.from(
        twins.correctSegmentation(
            PlanController.versionId(versionId), specs(structures), reason, CurrentActor.get()));
  }

  /** A radiologist or planner accepts a registration the ICP flagged for review. */
  @MutationMapping
  VersionView acceptRegistration(
      @Argument String versionId, @Argument String structure, @Argument String reason) {
    TwinVersionId id = PlanController.versionId(versionId);
    return VersionView.from(twins.acceptRegistration(id, structure, reason, CurrentActor.get()));
  }

  record ApprovalInput(boolean approved, String meaning, String reason) {}

  /** A radiologist signs the segmentation of a version. */
  @MutationMapping
  VersionView approveSegmentation(@Argument String versionId, @Argument ApprovalInput decision) {
    TwinVersionId id = PlanController.versionId(versionId);
    return VersionView.from(
        twins.approveSegmentation(
            id, decision.approved(), decision.meaning(), decision.reason(), CurrentActor.get()));
  }

  @BatchMapping(typeName = "TwinVersion", field = "segmentationReview")
  List<org.anatwin.versioning.@Nullable SegmentationReview> segmentationReviews(
      List<VersionView> versions) {
    Map<String, org.anatwin.versioning.SegmentationReview> reviews =
        twins.segmentationReviews(versions.stream().map(VersionView::id).toList());
    List<org.anatwin.versioning.@Nullable SegmentationReview> out = new java.util.ArrayList<>();
    versions.forEach(v -> out.add(reviews.get(v.id())));
    return out;
  }

  @BatchMapping(typeName = "TwinVersion", field = "segmentationState")
  List<String> segmentationStates(List<VersionView> versions) {
    Map<String, org.anatwin.versioning.SegmentationReview> reviews =
        twins.segmentationReviews(versions.stream().map(VersionView::id).toList());
    return versions.stream()
        .map(v -> org.anatwin.versioning.SegmentationReview.state(reviews.get(v.id())))
        .toList();
  }

  @BatchMapping(typeName = "Patient")
  List<List<TwinView>> twins(List<Map<String, Object>> patients) {
    Map<String, List<Twin>> byPatient =
        twins.twinsOfPatients(patients.stream().map(p -> (String) p.get("id")).toList());
    return patients.stream()
        .map(
            p ->
                byPatient.getOrDefault((String) p.get("id"), List.of()).stream()
                    .map(TwinView::from)
                    .toList())
        .toList();
  }

  @BatchMapping(typeName = "Twin")
  Map<TwinView, Map<String, Object>> patient(List<TwinView> owners) {
    List<String> unread =
        owners.stream()
            .filter(t -> t.patient() == null)
            .map(TwinView::patientKey)
            .distinct()
            .toList();
    Map<String, Map<String, Object>> found = unread.isEmpty() ? Map.of() : ingest.patients(unread);
    return org.anatwin.api.Batches.byOwner(
        owners, t -> t.patient() != null ? t.patient() : found.get(t.patientKey()));
  }

  /** A structure's difference between two versions; the PLY with the distances is at download. */
  record StructureDiffView(
      String structure,
      int vertexCount,
      double meanMm,
      double meanAbsoluteMm,
      double rmsMm,
      double p95AbsoluteMm,
      double minMm,
      double maxMm,
      double hausdorffMm,
      double volumeChangeMm3,
      String download) {}

  @SchemaMapping(typeName = "TwinVersion")
  List<StructureDiffView> diff(VersionView version, @Argument String against) {
    TwinVersionId from = TwinVersionId.parse(version.id());
    TwinVersionId to =
        Ids.tryParse(against, TwinVersionId::parse)
            .orElseThrow(
                () ->
                    new org.anatwin.versioning.VersioningException(
                        "versioning:version.unknown", "no twin version " + against));
    return twins.diff(from, to).stream()
        .map(
            d ->
                new StructureDiffView(
                    d.structure(),
                    d.mesh().vertexCount(),
                    d.diff().meanMm(),
                    d.diff().meanAbsoluteMm(),
                    d.diff().rmsMm(),
                    d.diff().p95AbsoluteMm(),
                    d.diff().minMm(),
                    d.diff().maxMm(),
                    d.diff().hausdorffMm(),
                    d.diff().volumeChangeMm3(),
                    "/files/diffs/"
                        + from.value()
                        + "/"
                        + to.value()
                        + "/"
                        + d.structure()
                        + ".ply"))
        .toList();
  }

  /** A map, not a list: a first version has no parent, and a batch list may not hold nulls. */
  @BatchMapping(typeName = "TwinVersion")
  Map<VersionView, VersionView> parent(List<VersionView> children) {
    Map<String, VersionView> parents =
        byId(
            twins.versions(
                children.stream().map(VersionView::parentId).filter(p -> p != null).toList()));
    Map<VersionView, VersionView> out = new java.util.HashMap<>();
    for (VersionView child : children) {
      VersionView parent = child.parentId() == null ? null : parents.get(child.parentId());
      if (parent != null) {
        out.put(child, parent);
      }
    }
    return out;
  }

  @SchemaMapping(typeName = "TwinVersion")
  @Nullable Map<String, Object> sourceSeries(VersionView version) {
    return ingest.series(version.sourceSeriesUid()).orElse(null);
  }

  @SchemaMapping(typeName = "Mesh")
  String download(MeshView mesh, @Argument @Nullable String format) {
    return mesh.downloadPath(format == null ? "STL" : format);
  }

  static Map<String, VersionView> byId(List<TwinVersion> versions) {
    return versions.stream()
        .map(VersionView::from)
        .collect(java.util.stream.Collectors.toMap(VersionView::id, v -> v));
  }
}

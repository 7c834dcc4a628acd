package org.anatwin.api.twins;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.anatwin.api.CurrentActor;
import org.anatwin.api.Ids;
import org.anatwin.api.Pages;
import org.anatwin.model.TwinId;
import org.anatwin.model.TwinVersionId;
import org.anatwin.versioning.Annotation;
import org.anatwin.versioning.TwinPlans;
import org.anatwin.versioning.TwinVersion;
import org.anatwin.versioning.Twins;
import org.anatwin.versioning.VersionPages;
import org.anatwin.versioning.VersioningException;
import org.dataloader.DataLoader;
import org.jspecify.annotations.Nullable;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.graphql.execution.BatchLoaderRegistry;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * GraphQL of branches, tags, pages of versions, designs, annotations, landmark registration and the
 * {@code twinVersions} subscription.
 */
@Controller
class PlanController {
  /** Base64 of a design is refused above this many decoded bytes. */
  static final int MAX_DESIGN_BYTES = org.anatwin.api.Uploads.MAX_MESH_BYTES;

  private final TwinPlans plans;
  private final Twins twins;
  private final VersionFeed feed;

  PlanController(TwinPlans plans, Twins twins, VersionFeed feed, BatchLoaderRegistry loaders) {
    this.plans = plans;
    this.twins = twins;
    this.feed = feed;
    loaders
        .forTypePair(VersionPages.Key.class, PageView.class)
        .registerMappedBatchLoader((keys, env) -> Mono.fromSupplier(() -> pages(keys)));
  }

  record EdgeView(String cursor, TwinController.VersionView node) {}

  record PageInfoView(boolean hasNextPage, @Nullable String endCursor) {}

  record PageView(
      List<EdgeView> edges,
      List<TwinController.VersionView> nodes,
      PageInfoView pageInfo,
      int totalCount) {}

  record BranchView(
      String name,
      @Nullable String headId,
      @Nullable String baseId,
      @Nullable String createdBy,
      @Nullable String createdAt) {
    static BranchView from(TwinPlans.Branch b) {
      return new BranchView(
          b.name(), b.headVersionId(), b.baseVersionId(), b.createdBy(), b.createdAt());
    }
  }

  record PointView(double x, double y, double z) {}

  record AnnotationView(
      String id,
      String kind,
      String label,
      @Nullable PointView position,
      @Nullable String structure,
      @Nullable String text,
      String author,
      String createdAt) {
    static AnnotationView from(Annotation a) {
      double[] p = a.position();
      return new AnnotationView(
          a.id(),
          a.kind().name(),
          a.label(),
          p == null ? null : new PointView(p[0], p[1], p[2]),
          a.structure(),
          a.text(),
          a.author(),
          a.createdAt().toString());
    }
  }

  record PointInput(double x, double y, double z) {}

  record AnnotationInput(
      String versionId,
      String kind,
      String label,
      @Nullable PointInput position,
      @Nullable String structure,
      @Nullable String text) {}

  record DesignInput(
      String versionId,
      String name,
      String kind,
      @Nullable String fileName,
      String content,
      @Nullable String unit,
      @Nullable String branch,
      @Nullable List<Double> transform) {}

  @SchemaMapping(typeName = "Twin")
  CompletableFuture<PageView> versions(
      TwinController.TwinView twin,
      @Argument @Nullable String branch,
      @Argument @Nullable Integer first,
      @Argument @Nullable String after,
      DataLoader<VersionPages.Key, PageView> loader) {
    return loader.load(pageKey(twin.id(), branch, first, after));
  }

  /** Which page of a twin's versions the {@code versions} field's arguments ask for. */
  static VersionPages.Key pageKey(
      String twinId, @Nullable String branch, @Nullable Integer first, @Nullable String after) {
    Integer afterNumber = null;
    if (after != null) {
      try {
        afterNumber = Integer.parseInt(after);
      } catch (NumberFormatException e) {
        throw new VersioningException(
            "versioning:page.cursor", "not a cursor of this list: " + after);
      }
    }
    return new VersionPages.Key(twinId, branch, Pages.size(first), afterNumber);
  }

  private Map<VersionPages.Key, PageView> pages(java.util.Set<VersionPages.Key> keys) {
    Map<VersionPages.Key, VersionPages.Page> pages = plans.versionPages(new ArrayList<>(keys));
    Map<VersionPages.Key, PageView> out = new java.util.HashMap<>();
    pages.forEach((key, page) -> out.put(key, view(page)));
    return out;
  }

  /** A page of versions as the connection shows it. */
  static PageView view(VersionPages.Page page) {
    List<EdgeView> edges = new ArrayList<>();
    for (int i = 0; i < page.versions().size(); i++) {
      edges.add(
          new EdgeView(
              Integer.toString(page.numbers().get(i)),
              TwinController.VersionView.from(page.versions().get(i))));
    }
    return new PageView(
        edges,
        edges.stream().map(EdgeView::node).toList(),
        new PageInfoView(page.more(), edges.isEmpty() ? null : edges.getLast().cursor()),
        page.total());
  }

  @BatchMapping(typeName = "Twin")
  List<List<BranchView>> branches(List<TwinController.TwinView> owners) {
    Map<String, List<TwinPlans.Branch>> byTwin =
        plans.branchesOf(owners.stream().map(TwinController.TwinView::id).toList());
    return owners.stream()
        .map(t -> byTwin.getOrDefault(t.id(), List.of()).stream().map(BranchView::from).toList())
        .toList();
  }

  @SchemaMapping(typeName = "Twin")
  TwinController.@Nullable VersionView tagged(TwinController.TwinView twin, @Argument String tag) {
    return plans
        .tagged(TwinId.parse(twin.id()), tag)
        .map(TwinController.VersionView::from)
        .orElse(null);
  }

  @BatchMapping(typeName = "Branch")
  Map<BranchView, TwinController.VersionView> head(List<BranchView> branches) {
    return versionsOf(branches, BranchView::headId);
  }

  @BatchMapping(typeName = "Branch")
  Map<BranchView, TwinController.VersionView> base(List<BranchView> branches) {
    return versionsOf(branches, BranchView::baseId);
  }

  private Map<BranchView, TwinController.VersionView> versionsOf(
      List<BranchView> branches, java.util.function.Function<BranchView, @Nullable String> id) {
    Map<String, TwinController.VersionView> versions =
        TwinController.byId(
            twins.versions(branches.stream().map(id).filter(java.util.Objects::nonNull).toList()));
    Map<BranchView, TwinController.VersionView> out = new java.util.HashMap<>();
    for (BranchView b : branches) {
      String v = id.apply(b);
      if (v != null && versions.containsKey(v)) {
        out.put(b, versions.get(v));
      }
    }
    return out;
  }

  @BatchMapping(typeName = "TwinVersion")
  List<List<String>> tags(List<TwinController.VersionView> versions) {
    Map<String, List<String>> tags =
        plans.tagsOf(versions.stream().map(TwinController.VersionView::id).toList());
    return versions.stream().map(v -> tags.getOrDefault(v.id(), List.of())).toList();
  }

  @BatchMapping(typeName = "TwinVersion")
  List<List<AnnotationView>> annotations(List<TwinController.VersionView> versions) {
    Map<String, List<Annotation>> notes =
        plans.annotationsOf(versions.stream().map(TwinController.VersionView::id).toList());
    return versions.stream()
        .map(v -> notes.getOrDefault(v.id(), List.of()).stream().map(AnnotationView::from).toList())
        .toList();
  }

  @MutationMapping
  BranchView createBranch(@Argument String fromVersionId, @Argument String name) {
    return BranchView.from(plans.createBranch(versionId(fromVersionId), name, CurrentActor.get()));
  }

  @MutationMapping
  TwinController.VersionView tagVersion(
      @Argument String versionId, @Argument String tag, @Argument @Nullable String note) {
    return TwinController.VersionView.from(
        plans.tag(versionId(versionId), tag, note == null ? "" : note, CurrentActor.get()));
  }

  @MutationMapping
  MeshView uploadDesign(@Argument DesignInput input) {
    byte[] file =
        org.anatwin.api.Uploads.base64(
            input.content(), MAX_DESIGN_BYTES, "versioning:design", VersioningException::new);
    String format = org.anatwin.api.Uploads.format(input.fileName());
    double[] transform =
        input.transform() == null
            ? null
            : input.transform().stream().mapToDouble(Double::doubleValue).toArray();
    TwinVersion version =
        plans.uploadDesign(
            new TwinPlans.DesignUpload(
                versionId(input.versionId()),
                input.name(),
                input.kind(),
                file,
                format,
                input.unit() == null ? "MILLIMETER" : input.unit(),
                input.branch(),
                transform),
            CurrentActor.get());
    return version.structures().stream()
        .filter(s -> s.name().equals(input.name()))
        .map(s -> MeshView.from(s.mesh()))
        .findFirst()
        .orElseThrow();
  }

  @MutationMapping
  AnnotationView addAnnotation(@Argument AnnotationInput input) {
    PointInput p = input.position();
    return AnnotationView.from(
        plans.annotate(
            versionId(input.versionId()),
            Annotation.Kind.valueOf(input.kind()),
            input.label(),
            p == null ? null : new double[] {p.x(), p.y(), p.z()},
            input.structure(),
            input.text(),
            CurrentActor.get()));
  }

  @MutationMapping
  TwinController.VersionView registerWithLandmarks(
      @Argument String versionId, @Argument String structure) {
    return TwinController.VersionView.from(
        plans.registerWithLandmarks(versionId(versionId), structure, CurrentActor.get()));
  }

  @SubscriptionMapping
  Flux<TwinController.VersionView> twinVersions(@Argument String twinId) {
    if (Ids.tryParse(twinId, TwinId::parse).flatMap(twins::twin).isEmpty()) {
      throw new VersioningException("versioning:twin.unknown", "no twin " + twinId);
    }
    return feed.of(twinId).map(TwinController.VersionView::from);
  }

  /** The version id in a request, or the version-unknown refusal. */
  static TwinVersionId versionId(String id) {
    return Ids.tryParse(id, TwinVersionId::parse)
        .orElseThrow(
            () -> new VersioningException("versioning:version.unknown", "no twin version " + id));
  }
}

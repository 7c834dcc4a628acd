package org.anatwin.api.twins;

import java.util.List;
import org.anatwin.versioning.MeshInfo;
import org.jspecify.annotations.Nullable;

/** A mesh as the API shows it. */
public record MeshView(
    String id,
    String structure,
    String frameOfReferenceUid,
    int vertexCount,
    int triangleCount,
    double volume,
    double area,
    Bounds bounds,
    Qa qa,
    String sha256,
    String algorithm,
    @org.jspecify.annotations.Nullable String designKind) {

  /** Axis-aligned bounds in patient coordinates (LPS, mm). */
  public record Bounds(
      double minX, double minY, double minZ, double maxX, double maxY, double maxZ) {}

  /**
   * Topology and printability figures of the mesh and the repairs that made it; a figure is null
   * for meshes stored before it was measured or kept, and the two comparisons are null where they
   * do not apply (no label map; not measured, as after decimation).
   */
  public record Qa(
      boolean watertight,
      boolean manifold,
      int shells,
      @Nullable Long selfIntersections,
      long eulerCharacteristic,
      @Nullable Double wallThicknessMm,
      @Nullable Long boundaryEdges,
      @Nullable Long nonManifoldEdges,
      @Nullable Long degenerateTriangles,
      @Nullable Boolean consistentlyOriented,
      @Nullable Double labelMapVolumeMm3,
      @Nullable Double volumeChange,
      @Nullable Double maxDeviationFromUnsmoothedMm,
      @Nullable List<String> repairs) {}

  public static MeshView from(MeshInfo m) {
    double[] b = m.bounds();
    MeshInfo.Checks c = m.checks();
    return new MeshView(
        m.id().value(),
        m.structure(),
        m.frameOfReferenceUid(),
        m.vertices(),
        m.triangles(),
        m.volume(),
        m.area(),
        new Bounds(b[0], b[1], b[2], b[3], b[4], b[5]),
        new Qa(
            m.watertight(),
            m.manifold(),
            m.shells(),
            m.selfIntersections() < 0 ? null : m.selfIntersections(),
            m.eulerCharacteristic(),
            finite(m.wallThicknessMm()),
            c == null ? null : c.boundaryEdges(),
            c == null ? null : c.nonManifoldEdges(),
            c == null ? null : c.degenerateTriangles(),
            c == null ? null : c.consistentlyOriented(),
            c == null ? null : finite(c.labelMapVolumeMm3()),
            c == null ? null : finite((m.volume() - c.labelMapVolumeMm3()) / c.labelMapVolumeMm3()),
            c == null ? null : finite(c.maxDeviationFromUnsmoothedMm()),
            c == null ? null : c.repairs()),
        m.sha256().hex(),
        m.algorithm(),
        m.designKind());
  }

  private static @Nullable Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  /** The download path of the mesh in a format. */
  public String downloadPath(String format) {
    return "/files/meshes/"
        + id
        + "."
        + org.anatwin.versioning.MeshFormat.valueOf(format).extension();
  }
}

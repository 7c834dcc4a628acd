package org.anatwin.api.twins;

import org.anatwin.versioning.MeshInfo;

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
   * Topology and printability figures of the mesh; {@code selfIntersections} and {@code
   * wallThicknessMm} are null for meshes stored before they were measured.
   */
  public record Qa(
      boolean watertight,
      boolean manifold,
      int shells,
      @org.jspecify.annotations.Nullable Long selfIntersections,
      long eulerCharacteristic,
      @org.jspecify.annotations.Nullable Double wallThicknessMm) {}

  public static MeshView from(MeshInfo m) {
    double[] b = m.bounds();
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
            Double.isNaN(m.wallThicknessMm()) ? null : m.wallThicknessMm()),
        m.sha256().hex(),
        m.algorithm(),
        m.designKind());
  }

  /** The download path of the mesh in a format. */
  public String downloadPath(String format) {
    return "/files/meshes/"
        + id
        + "."
        + org.anatwin.versioning.MeshFormat.valueOf(format).extension();
  }
}

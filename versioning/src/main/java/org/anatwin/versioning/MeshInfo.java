package org.anatwin.versioning;

import org.anatwin.model.ContentHash;
import org.anatwin.model.MeshId;

/**
 * A stored mesh: id, the structure it shows, the SHA-256 of its STL, the frame of reference it
 * lives in, and its QA figures (mm, mm², mm³): {@code selfIntersections} is -1 and {@code
 * wallThicknessMm} NaN for meshes stored before they were measured. {@code designKind} is set for
 * an uploaded design (IMPLANT, GUIDE, ...) and null for anatomy. {@code checks} holds the rest of
 * the QA report and the repairs made (null for meshes stored before they were kept).
 */
public record MeshInfo(
    MeshId id,
    String structure,
    ContentHash sha256,
    String frameOfReferenceUid,
    int vertices,
    int triangles,
    double volume,
    double area,
    double[] bounds,
    boolean watertight,
    boolean manifold,
    int shells,
    long selfIntersections,
    long eulerCharacteristic,
    double wallThicknessMm,
    String algorithm,
    @org.jspecify.annotations.Nullable String designKind,
    @org.jspecify.annotations.Nullable Checks checks) {

  /**
   * The QA report's remaining figures: edges used by one triangle ({@code boundaryEdges}) or by
   * more than two, triangles with (nearly) no area, whether every edge is walked both ways, the
   * labelled voxels' volume (mm³, NaN for a mesh not made from a label map), the largest distance
   * of a smoothed vertex from the unsmoothed surface (mm; 0 without smoothing, NaN when not
   * measured), and every change the repair made, in order.
   */
  public record Checks(
      long boundaryEdges,
      long nonManifoldEdges,
      long degenerateTriangles,
      boolean consistentlyOriented,
      double labelMapVolumeMm3,
      double maxDeviationFromUnsmoothedMm,
      java.util.List<String> repairs) {
    public Checks {
      repairs = java.util.List.copyOf(repairs);
    }
  }

  /** The stored figures of a mesh with this report and the repairs that made it. */
  public static MeshInfo of(
      MeshId id,
      String structure,
      ContentHash sha256,
      String frameOfReferenceUid,
      org.anatwin.modeling.MeshReport r,
      java.util.List<String> repairs,
      String algorithm,
      @org.jspecify.annotations.Nullable String designKind) {
    return new MeshInfo(
        id,
        structure,
        sha256,
        frameOfReferenceUid,
        r.vertices(),
        r.triangles(),
        r.volume(),
        r.area(),
        new double[] {r.minX(), r.minY(), r.minZ(), r.maxX(), r.maxY(), r.maxZ()},
        r.watertight(),
        r.manifold(),
        r.shells(),
        r.selfIntersections(),
        r.eulerCharacteristic(),
        r.wallThicknessMm(),
        algorithm,
        designKind,
        new Checks(
            r.boundaryEdges(),
            r.nonManifoldEdges(),
            r.degenerateTriangles(),
            r.consistentlyOriented(),
            r.labelMapVolumeMm3(),
            r.maxDeviationFromUnsmoothedMm(),
            repairs));
  }

  /** Whether this mesh is an uploaded design rather than anatomy. */
  public boolean isDesign() {
    return designKind != null;
  }
}

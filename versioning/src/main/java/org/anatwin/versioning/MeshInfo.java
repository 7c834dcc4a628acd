package org.anatwin.versioning;

import org.anatwin.model.ContentHash;
import org.anatwin.model.MeshId;

/**
 * A stored mesh: id, the structure it shows, the SHA-256 of its STL, the frame of reference it
 * lives in, and its QA figures (mm, mm², mm³): {@code selfIntersections} is -1 and {@code
 * wallThicknessMm} NaN for meshes stored before they were measured. {@code designKind} is set for
 * an uploaded design (IMPLANT, GUIDE, ...) and null for anatomy.
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
    @org.jspecify.annotations.Nullable String designKind) {

  /** The stored figures of a mesh with this report. */
  public static MeshInfo of(
      MeshId id,
      String structure,
      ContentHash sha256,
      String frameOfReferenceUid,
      org.anatwin.modeling.MeshReport r,
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
        designKind);
  }

  /** Whether this mesh is an uploaded design rather than anatomy. */
  public boolean isDesign() {
    return designKind != null;
  }
}

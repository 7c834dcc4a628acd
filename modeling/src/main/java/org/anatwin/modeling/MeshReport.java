package org.anatwin.modeling;

/**
 * Quality of a mesh: counts, enclosed volume (mm³), area (mm²), bounds (mm, LPS) and topology. A
 * mesh is {@code watertight} when every edge is shared by exactly two triangles, {@code manifold}
 * when no edge is shared by more than two; {@code shells} counts its connected pieces. {@code
 * eulerCharacteristic} is V - E + F (2 per closed sphere-like shell, 2 - 2g for g handles); {@code
 * consistentlyOriented} holds when no edge is walked the same way by two triangles; {@code
 * degenerateTriangles} have (nearly) no area; {@code selfIntersections} counts pairs of triangles
 * that share no vertex and cross; {@code wallThicknessMm} estimates the thinnest wall: the 1st
 * percentile over the vertices of the distance straight inward to the opposite surface (capped at
 * 20 mm; the very smallest distances are folds and creases, not walls). For a surface made from a
 * label map, {@code labelMapVolumeMm3} is the labelled voxels' volume (NaN otherwise, see {@link
 * #volumeChange()}); {@code maxDeviationFromUnsmoothedMm} is the largest distance of a smoothed
 * vertex from the unsmoothed surface (0 without smoothing, NaN when not measured, as after
 * decimation, whose own deviation is in the surface's repairs).
 */
public record MeshReport(
    int vertices,
    int triangles,
    double volume,
    double area,
    double minX,
    double minY,
    double minZ,
    double maxX,
    double maxY,
    double maxZ,
    long boundaryEdges,
    long nonManifoldEdges,
    int shells,
    long eulerCharacteristic,
    boolean consistentlyOriented,
    long degenerateTriangles,
    long selfIntersections,
    double wallThicknessMm,
    double labelMapVolumeMm3,
    double maxDeviationFromUnsmoothedMm) {

  /** The enclosed volume's change against the label map's, as a fraction (NaN without one). */
  public double volumeChange() {
    return (volume - labelMapVolumeMm3) / labelMapVolumeMm3;
  }

  /** This report with the comparisons against the label map and the unsmoothed surface. */
  public MeshReport compared(double labelMapVolumeMm3, double maxDeviationFromUnsmoothedMm) {
    return new MeshReport(
        vertices,
        triangles,
        volume,
        area,
        minX,
        minY,
        minZ,
        maxX,
        maxY,
        maxZ,
        boundaryEdges,
        nonManifoldEdges,
        shells,
        eulerCharacteristic,
        consistentlyOriented,
        degenerateTriangles,
        selfIntersections,
        wallThicknessMm,
        labelMapVolumeMm3,
        maxDeviationFromUnsmoothedMm);
  }

  public boolean watertight() {
    return boundaryEdges == 0 && nonManifoldEdges == 0;
  }

  public boolean manifold() {
    return nonManifoldEdges == 0;
  }
}

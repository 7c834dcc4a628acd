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
 * 20 mm; the very smallest distances are folds and creases, not walls).
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
    double wallThicknessMm) {

  public boolean watertight() {
    return boundaryEdges == 0 && nonManifoldEdges == 0;
  }

  public boolean manifold() {
    return nonManifoldEdges == 0;
  }
}

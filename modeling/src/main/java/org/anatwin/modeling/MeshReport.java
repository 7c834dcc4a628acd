package org.anatwin.modeling;

/**
 * Quality of a mesh: counts, enclosed volume (mm³), area (mm²), bounds (mm, LPS) and topology. A
 * mesh is {@code watertight} when every edge is shared by exactly two triangles, {@code manifold}
 * when no edge is shared by more than two; {@code shells} counts its connected pieces.
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
    int shells) {

  public boolean watertight() {
    return boundaryEdges == 0 && nonManifoldEdges == 0;
  }

  public boolean manifold() {
    return nonManifoldEdges == 0;
  }
}

package org.anatwin.modeling.internal;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.anatwin.model.TriangleMesh;

/**
 * The mesh checks that need neighbourhoods: self-intersections (pairs of triangles that share no
 * vertex and cross each other) and the wall thickness seen from each vertex straight inward. Both
 * use a {@link TriangleGrid}; results do not depend on thread scheduling.
 */
public final class MeshQuality {
  /** Wall thickness is looked for up to this far (mm); thicker walls count as this. */
  public static final double THICKNESS_RANGE_MM = 20;

  /** At most this many vertices are probed for the wall thickness (evenly strided). */
  private static final int THICKNESS_SAMPLES = 200_000;

  private MeshQuality() {}

  /** The number of crossing triangle pairs (pairs sharing a vertex are neighbours, not checked). */
  public static long selfIntersections(TriangleMesh mesh) {
    if (mesh.triangleCount() < 2) {
      return 0;
    }
    TriangleGrid grid = new TriangleGrid(mesh);
    long[] entries = grid.entries;
    int[] starts = groupStarts(entries);
    return IntStream.range(0, starts.length - 1)
        .parallel()
        .mapToLong(g -> crossingsInCell(grid, starts[g], starts[g + 1]))
        .sum();
  }

  private static int[] groupStarts(long[] entries) {
    int[] starts = new int[entries.length + 1];
    int groups = 0;
    for (int i = 0; i < entries.length; i++) {
      if (i == 0 || TriangleGrid.cellOf(entries[i]) != TriangleGrid.cellOf(entries[i - 1])) {
        starts[groups++] = i;
      }
    }
    starts[groups++] = entries.length;
    return Arrays.copyOf(starts, groups);
  }

  /**
   * Crossing pairs among the triangles of one cell, each pair counted only in the first cell both
   * boxes share, so a pair in several cells is counted once.
   */
  private static long crossingsInCell(TriangleGrid grid, int from, int to) {
    long key = TriangleGrid.cellOf(grid.entries[from]);
    int cx = (int) (key % grid.size[0]);
    int cy = (int) ((key / grid.size[0]) % grid.size[1]);
    int cz = (int) (key / ((long) grid.size[0] * grid.size[1]));
    int[] t = grid.mesh.triangles();
    float[] p = grid.mesh.points();
    int[] loA = new int[3], hiA = new int[3], loB = new int[3], hiB = new int[3];
    long count = 0;
    for (int i = from; i < to; i++) {
      int a = TriangleGrid.triangle(grid.entries[i]);
      grid.box(a, loA, hiA);
      for (int j = i + 1; j < to; j++) {
        int b = TriangleGrid.triangle(grid.entries[j]);
        if (shareVertex(t, a, b)) {
          continue;
        }
        grid.box(b, loB, hiB);
        if (Math.max(loA[0], loB[0]) != cx
            || Math.max(loA[1], loB[1]) != cy
            || Math.max(loA[2], loB[2]) != cz) {
          continue;
        }
        if (cross(p, t, a, b)) {
          count++;
        }
      }
    }
    return count;
  }

  private static boolean shareVertex(int[] t, int a, int b) {
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        if (t[3 * a + i] == t[3 * b + j]) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether an edge of one triangle passes through the other. */
  static boolean cross(float[] p, int[] t, int a, int b) {
    for (int e = 0; e < 3; e++) {
      if (segmentHits(p, t[3 * a + e], t[3 * a + (e + 1) % 3], t, b)
          || segmentHits(p, t[3 * b + e], t[3 * b + (e + 1) % 3], t, a)) {
        return true;
      }
    }
    return false;
  }

  private static boolean segmentHits(float[] p, int from, int to, int[] t, int f) {
    double ox = p[3 * from], oy = p[3 * from + 1], oz = p[3 * from + 2];
    double t0 =
        rayTriangle(p, t, f, ox, oy, oz, p[3 * to] - ox, p[3 * to + 1] - oy, p[3 * to + 2] - oz);
    return t0 > 1e-9 && t0 < 1 - 1e-9;
  }

  /**
   * Möller–Trumbore: the ray parameter where {@code o + s*d} meets triangle {@code f}, or NaN when
   * it misses (or runs parallel to it).
   */
  static double rayTriangle(
      float[] p, int[] t, int f, double ox, double oy, double oz, double dx, double dy, double dz) {
    int a = 3 * t[3 * f], b = 3 * t[3 * f + 1], c = 3 * t[3 * f + 2];
    double e1x = p[b] - p[a], e1y = p[b + 1] - p[a + 1], e1z = p[b + 2] - p[a + 2];
    double e2x = p[c] - p[a], e2y = p[c + 1] - p[a + 1], e2z = p[c + 2] - p[a + 2];
    double hx = dy * e2z - dz * e2y, hy = dz * e2x - dx * e2z, hz = dx * e2y - dy * e2x;
    double det = e1x * hx + e1y * hy + e1z * hz;
    double scale =
        Math.sqrt((e1x * e1x + e1y * e1y + e1z * e1z) * (e2x * e2x + e2y * e2y + e2z * e2z))
            * Math.sqrt(dx * dx + dy * dy + dz * dz);
    if (Math.abs(det) <= 1e-12 * scale) {
      return Double.NaN;
    }
    double inv = 1 / det;
    double sx = ox - p[a], sy = oy - p[a + 1], sz = oz - p[a + 2];
    double u = inv * (sx * hx + sy * hy + sz * hz);
    if (u < 0 || u > 1) {
      return Double.NaN;
    }
    double qx = sy * e1z - sz * e1y, qy = sz * e1x - sx * e1z, qz = sx * e1y - sy * e1x;
    double v = inv * (dx * qx + dy * qy + dz * qz);
    if (v < 0 || u + v > 1) {
      return Double.NaN;
    }
    return inv * (e2x * qx + e2y * qy + e2z * qz);
  }

  /**
   * The wall thickness at each probed vertex: the distance from the vertex straight inward (against
   * its area-weighted normal, the mesh being wound outward) to the nearest other triangle, capped
   * at {@link #THICKNESS_RANGE_MM}. Returned sorted, ascending.
   */
  public static double[] wallThickness(TriangleMesh mesh) {
    if (mesh.triangleCount() == 0) {
      return new double[0];
    }
    TriangleGrid grid = new TriangleGrid(mesh);
    float[] normals = mesh.vertexNormals();
    int vertices = mesh.vertexCount();
    int stride = Math.max(1, (vertices + THICKNESS_SAMPLES - 1) / THICKNESS_SAMPLES);
    int samples = (vertices + stride - 1) / stride;
    double[] thickness =
        IntStream.range(0, samples)
            .parallel()
            .mapToDouble(s -> inward(grid, normals, s * stride))
            .toArray();
    Arrays.sort(thickness);
    return thickness;
  }

  /** Distance from vertex {@code v} along its inward normal to the first triangle it meets. */
  private static double inward(TriangleGrid grid, float[] normals, int v) {
    float[] p = grid.mesh.points();
    int[] t = grid.mesh.triangles();
    double nx = normals[3 * v], ny = normals[3 * v + 1], nz = normals[3 * v + 2];
    double length = Math.sqrt(nx * nx + ny * ny + nz * nz);
    if (length == 0) {
      return THICKNESS_RANGE_MM;
    }
    double dx = -nx / length, dy = -ny / length, dz = -nz / length;
    double ox = p[3 * v], oy = p[3 * v + 1], oz = p[3 * v + 2];
    double[] o = {ox, oy, oz};
    double[] d = {dx, dy, dz};
    int[] cell = new int[3];
    int[] step = new int[3];
    double[] next = new double[3];
    double[] delta = new double[3];
    for (int a = 0; a < 3; a++) {
      cell[a] = grid.clamp((int) Math.floor((o[a] - grid.origin[a]) / grid.cell), a);
      step[a] = d[a] > 0 ? 1 : -1;
      double boundary = grid.origin[a] + (cell[a] + (d[a] > 0 ? 1 : 0)) * grid.cell;
      next[a] = d[a] != 0 ? (boundary - o[a]) / d[a] : Double.MAX_VALUE;
      delta[a] = d[a] != 0 ? grid.cell / Math.abs(d[a]) : Double.MAX_VALUE;
    }
    double best = THICKNESS_RANGE_MM;
    double travelled = 0;
    while (travelled < best) {
      int first = grid.first(grid.key(cell[0], cell[1], cell[2]));
      for (int i = first; i >= 0 && i < grid.entries.length; i++) {
        long entry = grid.entries[i];
        if (TriangleGrid.cellOf(entry) != grid.key(cell[0], cell[1], cell[2])) {
          break;
        }
        int f = TriangleGrid.triangle(entry);
        if (t[3 * f] == v || t[3 * f + 1] == v || t[3 * f + 2] == v) {
          continue;
        }
        double hit = rayTriangle(p, t, f, ox, oy, oz, dx, dy, dz);
        if (hit > 1e-6 && hit < best) {
          best = hit;
        }
      }
      int axis = next[0] < next[1] ? (next[0] < next[2] ? 0 : 2) : (next[1] < next[2] ? 1 : 2);
      travelled = next[axis];
      cell[axis] += step[axis];
      if (cell[axis] < 0 || cell[axis] >= grid.size[axis]) {
        break;
      }
      next[axis] += delta[axis];
    }
    return best;
  }
}

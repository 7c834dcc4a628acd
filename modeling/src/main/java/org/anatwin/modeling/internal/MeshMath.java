package org.anatwin.modeling.internal;

import java.util.Arrays;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.MeshReport;

/** Topology and measures of indexed triangle meshes, in plain arrays. */
public final class MeshMath {
  private MeshMath() {}

  public static MeshReport report(TriangleMesh mesh) {
    float[] p = mesh.points();
    int[] t = mesh.triangles();
    int n = mesh.triangleCount();
    double volume = 0;
    double area = 0;
    long degenerate = 0;
    for (int f = 0; f < n; f++) {
      int a = 3 * t[3 * f];
      int b = 3 * t[3 * f + 1];
      int c = 3 * t[3 * f + 2];
      double ax = p[a], ay = p[a + 1], az = p[a + 2];
      double bx = p[b] - ax, by = p[b + 1] - ay, bz = p[b + 2] - az;
      double cx = p[c] - ax, cy = p[c + 1] - ay, cz = p[c + 2] - az;
      double nx = by * cz - bz * cy, ny = bz * cx - bx * cz, nz = bx * cy - by * cx;
      double doubleArea = Math.sqrt(nx * nx + ny * ny + nz * nz);
      area += 0.5 * doubleArea;
      if (doubleArea <= 1e-12 || a == b || b == c || a == c) {
        degenerate++;
      }
      volume += (ax * nx + ay * ny + az * nz) / 6.0;
    }
    double[] bounds = {
      Double.MAX_VALUE,
      Double.MAX_VALUE,
      Double.MAX_VALUE,
      -Double.MAX_VALUE,
      -Double.MAX_VALUE,
      -Double.MAX_VALUE
    };
    for (int v = 0; v < p.length; v += 3) {
      for (int axis = 0; axis < 3; axis++) {
        bounds[axis] = Math.min(bounds[axis], p[v + axis]);
        bounds[axis + 3] = Math.max(bounds[axis + 3], p[v + axis]);
      }
    }
    long[] edges = new long[3 * n];
    for (int f = 0; f < n; f++) {
      for (int e = 0; e < 3; e++) {
        int u = t[3 * f + e];
        int w = t[3 * f + (e + 1) % 3];
        edges[3 * f + e] = ((long) u << 32) | w;
      }
    }
    // directed edges: a second triangle walking an edge the same way is an orientation flip
    Arrays.parallelSort(edges);
    boolean oriented = true;
    for (int i = 1; i < edges.length && oriented; i++) {
      oriented = edges[i] != edges[i - 1];
    }
    for (int i = 0; i < edges.length; i++) {
      long u = edges[i] >>> 32;
      long w = edges[i] & 0xffffffffL;
      edges[i] = (Math.min(u, w) << 32) | Math.max(u, w);
    }
    Arrays.parallelSort(edges);
    long boundary = 0;
    long nonManifold = 0;
    long distinctEdges = 0;
    for (int i = 0; i < edges.length; ) {
      int j = i;
      while (j < edges.length && edges[j] == edges[i]) {
        j++;
      }
      int count = j - i;
      distinctEdges++;
      if (count == 1) {
        boundary++;
      } else if (count > 2) {
        nonManifold++;
      }
      i = j;
    }
    double[] thickness = MeshQuality.wallThickness(mesh);
    return new MeshReport(
        mesh.vertexCount(),
        n,
        volume,
        area,
        bounds[0],
        bounds[1],
        bounds[2],
        bounds[3],
        bounds[4],
        bounds[5],
        boundary,
        nonManifold,
        shells(mesh),
        mesh.vertexCount() - distinctEdges + n,
        oriented,
        degenerate,
        MeshQuality.selfIntersections(mesh),
        thickness.length == 0 ? Double.NaN : thickness[(int) (0.01 * (thickness.length - 1))],
        Double.NaN,
        0);
  }

  /** Number of connected pieces, joined through shared vertices. */
  static int shells(TriangleMesh mesh) {
    int[] parent = new int[mesh.vertexCount()];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    int[] t = mesh.triangles();
    for (int i = 0; i < t.length; i += 3) {
      union(parent, t[i], t[i + 1]);
      union(parent, t[i], t[i + 2]);
    }
    boolean[] used = new boolean[parent.length];
    for (int index : t) {
      used[index] = true;
    }
    int shells = 0;
    for (int v = 0; v < parent.length; v++) {
      if (used[v] && find(parent, v) == v) {
        shells++;
      }
    }
    return shells;
  }

  private static int find(int[] parent, int v) {
    while (parent[v] != v) {
      parent[v] = parent[parent[v]];
      v = parent[v];
    }
    return v;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  /** Signed enclosed volume; negative when the triangles are wound inward. */
  public static double signedVolume(float[] p, int[] t) {
    double volume = 0;
    for (int i = 0; i < t.length; i += 3) {
      int a = 3 * t[i];
      int b = 3 * t[i + 1];
      int c = 3 * t[i + 2];
      volume +=
          p[a] * ((double) p[b + 1] * p[c + 2] - (double) p[b + 2] * p[c + 1])
              - p[a + 1] * ((double) p[b] * p[c + 2] - (double) p[b + 2] * p[c])
              + p[a + 2] * ((double) p[b] * p[c + 1] - (double) p[b + 1] * p[c]);
    }
    return volume / 6.0;
  }
}

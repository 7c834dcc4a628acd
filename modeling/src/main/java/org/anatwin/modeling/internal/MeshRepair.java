package org.anatwin.modeling.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.anatwin.model.TriangleMesh;

/**
 * Repairs that change no geometry: vertices with identical coordinates are welded into one, and the
 * triangles this leaves with two equal corners (zero area; flying edges makes them where the iso
 * value equals a voxel's value) are removed. Every change is listed for the mesh's report.
 */
public final class MeshRepair {
  /** The repaired mesh and what was done to it (empty when nothing was needed). */
  public record Result(TriangleMesh mesh, List<String> changes) {}

  private MeshRepair() {}

  public static Result weldAndDropDegenerate(TriangleMesh mesh) {
    float[] p = mesh.points();
    int vertices = p.length / 3;
    int[] remap = weld(p, vertices);
    int kept = 0;
    int[] order = new int[vertices];
    Arrays.fill(order, -1);
    for (int v = 0; v < vertices; v++) {
      if (remap[v] == v) {
        order[v] = kept++;
      }
    }
    float[] points = new float[3 * kept];
    for (int v = 0; v < vertices; v++) {
      if (order[v] >= 0) {
        System.arraycopy(p, 3 * v, points, 3 * order[v], 3);
      }
    }
    int[] t = mesh.triangles();
    int[] triangles = new int[t.length];
    int out = 0;
    int removed = 0;
    for (int f = 0; f < t.length; f += 3) {
      int a = order[remap[t[f]]], b = order[remap[t[f + 1]]], c = order[remap[t[f + 2]]];
      if (a == b || b == c || a == c) {
        removed++;
        continue;
      }
      triangles[out++] = a;
      triangles[out++] = b;
      triangles[out++] = c;
    }
    List<String> changes = new ArrayList<>();
    if (kept < vertices) {
      changes.add(String.format(Locale.ROOT, "welded %d coincident vertices", vertices - kept));
    }
    if (removed > 0) {
      changes.add(String.format(Locale.ROOT, "removed %d degenerate triangles", removed));
    }
    if (changes.isEmpty()) {
      return new Result(mesh, List.of());
    }
    return new Result(
        new TriangleMesh(points, Arrays.copyOf(triangles, out)), List.copyOf(changes));
  }

  /**
   * Removes triangles that come in pairs on the same three vertices (a zero-volume fin, which
   * decimation can leave where two sheets meet): both of each pair go, as do exact repeats.
   */
  public static Result dropCoincidentTriangles(TriangleMesh mesh) {
    int[] t = mesh.triangles();
    int n = t.length / 3;
    Integer[] order = new Integer[n];
    long[][] keys = new long[n][];
    for (int f = 0; f < n; f++) {
      int[] v = {t[3 * f], t[3 * f + 1], t[3 * f + 2]};
      Arrays.sort(v);
      keys[f] = new long[] {((long) v[0] << 32) | v[1], v[2]};
      order[f] = f;
    }
    Arrays.sort(
        order,
        (a, b) ->
            keys[a][0] != keys[b][0]
                ? Long.compare(keys[a][0], keys[b][0])
                : Long.compare(keys[a][1], keys[b][1]));
    boolean[] drop = new boolean[n];
    int dropped = 0;
    for (int i = 0; i < n; ) {
      int j = i + 1;
      while (j < n
          && keys[order[j]][0] == keys[order[i]][0]
          && keys[order[j]][1] == keys[order[i]][1]) {
        j++;
      }
      if (j - i > 1) {
        for (int k = i; k < j; k++) {
          drop[order[k]] = true;
          dropped++;
        }
      }
      i = j;
    }
    if (dropped == 0) {
      return new Result(mesh, List.of());
    }
    int[] kept = new int[t.length - 3 * dropped];
    int out = 0;
    for (int f = 0; f < n; f++) {
      if (!drop[f]) {
        kept[out++] = t[3 * f];
        kept[out++] = t[3 * f + 1];
        kept[out++] = t[3 * f + 2];
      }
    }
    return new Result(
        new TriangleMesh(mesh.points(), kept),
        List.of(String.format(Locale.ROOT, "removed %d coincident triangles", dropped)));
  }

  /**
   * Separates sheets that touch along an edge or at a vertex: around every vertex, the incident
   * triangles are grouped into fans joined through edges that have exactly two triangles; each fan
   * after the first gets its own copy of the vertex. An edge shared by four triangles of two sheets
   * becomes two edges of two triangles each; no edge is opened and no position moves.
   */
  public static Result splitNonManifold(TriangleMesh mesh) {
    int[] t = mesh.triangles();
    float[] p = mesh.points();
    int vertices = p.length / 3;
    int n = t.length / 3;
    long[] edges = new long[t.length];
    for (int f = 0; f < n; f++) {
      for (int e = 0; e < 3; e++) {
        edges[3 * f + e] = edgeKey(t[3 * f + e], t[3 * f + (e + 1) % 3]);
      }
    }
    Arrays.sort(edges);
    // incident triangles of each vertex, compressed rows
    int[] start = new int[vertices + 1];
    for (int v : t) {
      start[v + 1]++;
    }
    for (int v = 0; v < vertices; v++) {
      start[v + 1] += start[v];
    }
    int[] incident = new int[t.length];
    int[] fill = Arrays.copyOf(start, vertices);
    for (int i = 0; i < t.length; i++) {
      incident[fill[t[i]]++] = i / 3;
    }
    int[] out = t.clone();
    List<Float> extra = new ArrayList<>();
    int next = vertices;
    int split = 0;
    for (int v = 0; v < vertices; v++) {
      int from = start[v];
      int count = start[v + 1] - from;
      if (count < 2) {
        continue;
      }
      int[] parent = new int[count];
      for (int i = 0; i < count; i++) {
        parent[i] = i;
      }
      for (int i = 0; i < count; i++) {
        for (int j = i + 1; j < count; j++) {
          int f = incident[from + i];
          int g = incident[from + j];
          int shared = sharedOther(t, f, g, v);
          if (shared < 0) {
            continue;
          }
          int onEdge = occurrences(edges, edgeKey(v, shared));
          if (onEdge == 2 || (onEdge > 2 && paired(t, p, start, incident, v, shared, f, g))) {
            parent[root(parent, i)] = root(parent, j);
          }
        }
      }
      int firstRoot = root(parent, 0);
      java.util.Map<Integer, Integer> copies = new java.util.HashMap<>();
      for (int i = 0; i < count; i++) {
        int r = root(parent, i);
        if (r == firstRoot) {
          continue;
        }
        Integer copy = copies.get(r);
        if (copy == null) {
          copy = next++;
          copies.put(r, copy);
          extra.add(p[3 * v]);
          extra.add(p[3 * v + 1]);
          extra.add(p[3 * v + 2]);
        }
        int f = incident[from + i];
        for (int k = 0; k < 3; k++) {
          if (t[3 * f + k] == v) {
            out[3 * f + k] = copy;
          }
        }
      }
      split += copies.size();
    }
    if (split == 0) {
      return new Result(mesh, List.of());
    }
    float[] points = Arrays.copyOf(p, p.length + extra.size());
    for (int i = 0; i < extra.size(); i++) {
      points[p.length + i] = extra.get(i);
    }
    return new Result(
        new TriangleMesh(points, out),
        List.of(
            String.format(Locale.ROOT, "split %d vertices where separate sheets touched", split)));
  }

  /**
   * Whether triangles f and g bound the same solid wedge around a non-manifold edge (a, b): sorted
   * by angle around the edge, each triangle running b to a pairs with the next one, which must run
   * a to b (consistently oriented closed sheets alternate so).
   */
  private static boolean paired(
      int[] t, float[] p, int[] start, int[] incident, int a, int b, int f, int g) {
    List<Integer> faces = new ArrayList<>();
    for (int i = start[a]; i < start[a + 1]; i++) {
      int face = incident[i];
      if (contains(t, face, b) && !faces.contains(face)) {
        faces.add(face);
      }
    }
    double dx = p[3 * b] - p[3 * a],
        dy = p[3 * b + 1] - p[3 * a + 1],
        dz = p[3 * b + 2] - p[3 * a + 2];
    double dl = Math.sqrt(dx * dx + dy * dy + dz * dz);
    dx /= dl;
    dy /= dl;
    dz /= dl;
    // x: any unit vector perpendicular to the edge; y = d x x
    double[] x = Math.abs(dx) < 0.9 ? new double[] {0, -dz, dy} : new double[] {dz, 0, -dx};
    double xl = Math.sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    x[0] /= xl;
    x[1] /= xl;
    x[2] /= xl;
    double[] y = {dy * x[2] - dz * x[1], dz * x[0] - dx * x[2], dx * x[1] - dy * x[0]};
    int k = faces.size();
    double[] angle = new double[k];
    boolean[] forward = new boolean[k];
    for (int i = 0; i < k; i++) {
      int face = faces.get(i);
      int w = -1;
      for (int c = 0; c < 3; c++) {
        int corner = t[3 * face + c];
        if (corner != a && corner != b) {
          w = corner;
        }
        if (corner == a && t[3 * face + (c + 1) % 3] == b) {
          forward[i] = true;
        }
      }
      double rx = p[3 * w] - p[3 * a],
          ry = p[3 * w + 1] - p[3 * a + 1],
          rz = p[3 * w + 2] - p[3 * a + 2];
      angle[i] = Math.atan2(rx * y[0] + ry * y[1] + rz * y[2], rx * x[0] + ry * x[1] + rz * x[2]);
    }
    Integer[] order = new Integer[k];
    for (int i = 0; i < k; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (i, j) -> Double.compare(angle[i], angle[j]));
    for (int i = 0; i < k; i++) {
      int here = order[i];
      int after = order[(i + 1) % k];
      if (!forward[here] && forward[after]) {
        int m = faces.get(here), n = faces.get(after);
        if ((m == f && n == g) || (m == g && n == f)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean contains(int[] t, int face, int v) {
    return t[3 * face] == v || t[3 * face + 1] == v || t[3 * face + 2] == v;
  }

  private static long edgeKey(int a, int b) {
    return ((long) Math.min(a, b) << 32) | Math.max(a, b);
  }

  private static int occurrences(long[] sorted, long key) {
    int at = Arrays.binarySearch(sorted, key);
    if (at < 0) {
      return 0;
    }
    int lo = at, hi = at;
    while (lo > 0 && sorted[lo - 1] == key) {
      lo--;
    }
    while (hi < sorted.length - 1 && sorted[hi + 1] == key) {
      hi++;
    }
    return hi - lo + 1;
  }

  /** The vertex other than {@code v} that triangles f and g share, or -1. */
  private static int sharedOther(int[] t, int f, int g, int v) {
    for (int a = 0; a < 3; a++) {
      int x = t[3 * f + a];
      if (x == v) {
        continue;
      }
      for (int b = 0; b < 3; b++) {
        if (t[3 * g + b] == x) {
          return x;
        }
      }
    }
    return -1;
  }

  private static int root(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  /** For each vertex, the first vertex with exactly its coordinates (open-addressing hash). */
  private static int[] weld(float[] p, int vertices) {
    int capacity = Integer.highestOneBit(Math.max(4, vertices * 2 - 1)) << 1;
    int[] table = new int[capacity];
    Arrays.fill(table, -1);
    int[] remap = new int[vertices];
    for (int v = 0; v < vertices; v++) {
      int x = Float.floatToIntBits(p[3 * v]);
      int y = Float.floatToIntBits(p[3 * v + 1]);
      int z = Float.floatToIntBits(p[3 * v + 2]);
      int slot = mix(x, y, z) & (capacity - 1);
      while (true) {
        int w = table[slot];
        if (w < 0) {
          table[slot] = v;
          remap[v] = v;
          break;
        }
        if (Float.floatToIntBits(p[3 * w]) == x
            && Float.floatToIntBits(p[3 * w + 1]) == y
            && Float.floatToIntBits(p[3 * w + 2]) == z) {
          remap[v] = w;
          break;
        }
        slot = (slot + 1) & (capacity - 1);
      }
    }
    return remap;
  }

  private static int mix(int x, int y, int z) {
    int h =
        x * 0x9E3779B1
            ^ Integer.rotateLeft(y * 0x85EBCA6B, 11)
            ^ Integer.rotateLeft(z * 0xC2B2AE35, 22);
    return h ^ (h >>> 16);
  }

  /**
   * Closes every hole whose boundary is a simple loop of at most {@code maxEdges} edges with a fan
   * of triangles around the loop's centroid (a new vertex), wound like the triangles around it.
   * Loops through a vertex where several holes meet are left as they are. Returns the mesh itself
   * when nothing was filled.
   */
  public static Result fillSmallHoles(TriangleMesh mesh, int maxEdges) {
    int[] t = mesh.triangles();
    // directed edges u->w; an edge is on a hole when no triangle walks it w->u
    java.util.Map<Long, Integer> directed = new java.util.HashMap<>();
    for (int i = 0; i < t.length; i += 3) {
      for (int e = 0; e < 3; e++) {
        directed.merge(key(t[i + e], t[i + (e + 1) % 3]), 1, Integer::sum);
      }
    }
    // the hole's edges run opposite to the boundary triangles' edges: next[w] = u for u->w
    java.util.Map<Integer, Integer> next = new java.util.HashMap<>();
    java.util.Set<Integer> ambiguous = new java.util.HashSet<>();
    for (long edge : directed.keySet()) {
      int u = (int) (edge >>> 32);
      int w = (int) edge;
      if (!directed.containsKey(key(w, u))) {
        if (next.put(w, u) != null) {
          ambiguous.add(w);
        }
      }
    }
    List<int[]> loops = new ArrayList<>();
    java.util.Set<Integer> visited = new java.util.HashSet<>();
    for (int start : new java.util.TreeSet<>(next.keySet())) {
      if (visited.contains(start) || ambiguous.contains(start)) {
        continue;
      }
      List<Integer> loop = new ArrayList<>();
      int at = start;
      boolean simple = true;
      while (loop.size() <= maxEdges) {
        if (ambiguous.contains(at) || !next.containsKey(at) || visited.contains(at)) {
          simple = false;
          break;
        }
        visited.add(at);
        loop.add(at);
        at = next.get(at);
        if (at == start) {
          break;
        }
      }
      if (simple && at == start && loop.size() >= 3 && loop.size() <= maxEdges) {
        loops.add(loop.stream().mapToInt(Integer::intValue).toArray());
      }
    }
    if (loops.isEmpty()) {
      return new Result(mesh, List.of());
    }
    float[] p = mesh.points();
    float[] points = Arrays.copyOf(p, p.length + 3 * loops.size());
    int added = 0;
    int[] triangles = Arrays.copyOf(t, t.length + 3 * loops.stream().mapToInt(l -> l.length).sum());
    int out = t.length;
    for (int l = 0; l < loops.size(); l++) {
      int[] loop = loops.get(l);
      int centre = mesh.vertexCount() + l;
      for (int axis = 0; axis < 3; axis++) {
        double sum = 0;
        for (int v : loop) {
          sum += p[3 * v + axis];
        }
        points[3 * centre + axis] = (float) (sum / loop.length);
      }
      for (int i = 0; i < loop.length; i++) {
        triangles[out++] = loop[i];
        triangles[out++] = loop[(i + 1) % loop.length];
        triangles[out++] = centre;
        added++;
      }
    }
    return new Result(
        new TriangleMesh(points, triangles),
        List.of(
            String.format(
                Locale.ROOT,
                "filled %d holes of at most %d edges with %d triangles",
                loops.size(),
                maxEdges,
                added)));
  }

  private static long key(int u, int w) {
    return ((long) u << 32) | (w & 0xffffffffL);
  }
}

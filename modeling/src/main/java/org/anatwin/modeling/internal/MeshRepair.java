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
}

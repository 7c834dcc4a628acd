package org.anatwin.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Closed test surfaces shared by the modules' tests (through twin-model's test jar): spheres and
 * ellipsoids made from an octahedron subdivided {@code levels} times (8 × 4^levels triangles),
 * wound outwards.
 */
public final class Shapes {
  private Shapes() {}

  /** A sphere of {@code radius} mm centred at {@code c}. */
  public static TriangleMesh sphere(double[] c, double radius, int levels) {
    return ellipsoid(c, new double[] {radius, radius, radius}, levels);
  }

  /** An axis-aligned ellipsoid with the given semi-axes (mm) centred at {@code c}. */
  public static TriangleMesh ellipsoid(double[] c, double[] radii, int levels) {
    List<double[]> v =
        new ArrayList<>(
            List.of(
                new double[] {1, 0, 0},
                new double[] {-1, 0, 0},
                new double[] {0, 1, 0},
                new double[] {0, -1, 0},
                new double[] {0, 0, 1},
                new double[] {0, 0, -1}));
    List<int[]> faces =
        new ArrayList<>(
            List.of(
                new int[] {0, 2, 4},
                new int[] {2, 1, 4},
                new int[] {1, 3, 4},
                new int[] {3, 0, 4},
                new int[] {2, 0, 5},
                new int[] {1, 2, 5},
                new int[] {3, 1, 5},
                new int[] {0, 3, 5}));
    for (int level = 0; level < levels; level++) {
      Map<Long, Integer> mid = new HashMap<>();
      List<int[]> next = new ArrayList<>();
      for (int[] t : faces) {
        int[] m = new int[3];
        for (int e = 0; e < 3; e++) {
          int a = t[e], b = t[(e + 1) % 3];
          long key = (long) Math.min(a, b) << 32 | Math.max(a, b);
          m[e] =
              mid.computeIfAbsent(
                  key,
                  k -> {
                    double[] p = v.get(a), q = v.get(b);
                    double[] s = {p[0] + q[0], p[1] + q[1], p[2] + q[2]};
                    double n = Math.sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2]);
                    v.add(new double[] {s[0] / n, s[1] / n, s[2] / n});
                    return v.size() - 1;
                  });
        }
        next.add(new int[] {t[0], m[0], m[2]});
        next.add(new int[] {m[0], t[1], m[1]});
        next.add(new int[] {m[2], m[1], t[2]});
        next.add(new int[] {m[0], m[1], m[2]});
      }
      faces = next;
    }
    float[] points = new float[3 * v.size()];
    for (int i = 0; i < v.size(); i++) {
      for (int k = 0; k < 3; k++) {
        points[3 * i + k] = (float) (c[k] + radii[k] * v.get(i)[k]);
      }
    }
    return new TriangleMesh(
        points, faces.stream().flatMapToInt(java.util.Arrays::stream).toArray());
  }

  /**
   * A simulated surface scan of a printed part: {@code part} with a dent of {@code dentMm} pushed
   * into it around its first vertex (the closest 12 % of vertices, cosine fall-off), shifted by
   * {@code shiftMm} along a skew direction, Gaussian noise of {@code noiseMm} along each vertex
   * normal, then turned 35 degrees about z and moved, as a scanner's own frame would be.
   */
  public static TriangleMesh scanOf(
      TriangleMesh part, double shiftMm, double noiseMm, double dentMm, long seed) {
    return scanOf(part, shiftMm, noiseMm, dentMm, 0.12, seed);
  }

  /** As above, the dent covering the closest {@code dentFraction} of the vertices. */
  public static TriangleMesh scanOf(
      TriangleMesh part,
      double shiftMm,
      double noiseMm,
      double dentMm,
      double dentFraction,
      long seed) {
    java.util.Random random = new java.util.Random(seed);
    float[] p = part.points();
    float[] n = part.vertexNormals();
    int vertices = p.length / 3;
    double[] end = {p[0], p[1], p[2]};
    Integer[] byDistance = new Integer[vertices];
    for (int v = 0; v < vertices; v++) {
      byDistance[v] = v;
    }
    java.util.Arrays.sort(byDistance, java.util.Comparator.comparingDouble(v -> dist(p, v, end)));
    int dented = Math.max(1, (int) (dentFraction * vertices));
    double radius = dist(p, byDistance[dented - 1], end);
    double[] offsets = new double[vertices];
    for (int k = 0; k < dented; k++) {
      int v = byDistance[k];
      offsets[v] = -dentMm * 0.5 * (1 + Math.cos(Math.PI * dist(p, v, end) / radius));
    }
    double s = Math.sqrt(3);
    double angle = Math.toRadians(35);
    double cos = Math.cos(angle), sin = Math.sin(angle);
    float[] out = new float[p.length];
    for (int v = 0; v < vertices; v++) {
      double along = offsets[v] + noiseMm * random.nextGaussian();
      double x = p[3 * v] + along * n[3 * v] + shiftMm / s;
      double y = p[3 * v + 1] + along * n[3 * v + 1] + shiftMm / s;
      double z = p[3 * v + 2] + along * n[3 * v + 2] + shiftMm / s;
      out[3 * v] = (float) (cos * x - sin * y + 12);
      out[3 * v + 1] = (float) (sin * x + cos * y - 30);
      out[3 * v + 2] = (float) (z + 5);
    }
    return new TriangleMesh(out, part.triangles());
  }

  private static double dist(float[] p, int v, double[] to) {
    double dx = p[3 * v] - to[0], dy = p[3 * v + 1] - to[1], dz = p[3 * v + 2] - to[2];
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }
}

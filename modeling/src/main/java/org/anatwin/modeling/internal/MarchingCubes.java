package org.anatwin.modeling.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.anatwin.model.VolumeGeometry;
import org.anatwin.modeling.ModelingException;
import vtk.vtkCellArray;
import vtk.vtkDoubleArray;
import vtk.vtkFlyingEdges3D;
import vtk.vtkImageData;
import vtk.vtkObjectBase;
import vtk.vtkPolyData;

/**
 * The iso-surface of a volume padded by one voxel of background on every side, cell by cell with
 * the case table of VTK's flying edges (read from {@code vtkFlyingEdges3D} one cell at a time on
 * first use, so every cell gets exactly the triangles VTK gives it), vertices interpolated along
 * voxel edges as VTK does. It works on the caller's arrays, with no padded copy and nothing sent
 * across JNI: a bit per voxel says inside ({@code value >= iso}) or not, 64 voxels of a row per
 * word, and only cells whose eight corners disagree are visited.
 *
 * <p>Vertices are numbered by slice, then edge direction (x, y, z), row and column; triangles are
 * made in fixed slabs of slices and joined in order, so the output is the same however many threads
 * run. Points are grid millimetres ({@code i*sx, j*sy, k*sz} for voxel (i, j, k)).
 */
public final class MarchingCubes {
  /** Fixed number of slabs the triangle pass is cut into (independent of the thread count). */
  private static final int SLABS = 32;

  /** The surface in grid millimetres: x, y, z per vertex and three vertex indices per triangle. */
  public record GridSurface(double[] points, int[] triangles) {}

  private MarchingCubes() {}

  /**
   * The iso-surface at {@code iso} of a scalar volume; a voxel outside {@code within} (when given)
   * whose value is at or above {@code iso} counts as {@code fill}, as does everything beyond the
   * grid. {@code fill} must be below {@code iso}.
   */
  public static GridSurface ofScalars(
      VolumeGeometry g, short[] voxels, byte[] within, double iso, short fill) {
    if (!(fill < iso)) {
      throw new IllegalArgumentException("fill " + fill + " is not below " + iso);
    }
    Grid grid = new Grid(g);
    grid.mark(index -> voxels[index] >= iso && (within == null || within[index] != 0));
    return grid.surface(
        iso,
        (i, j, k) -> {
          if (i < 0 || j < 0 || k < 0 || i >= g.nx() || j >= g.ny() || k >= g.nz()) {
            return fill;
          }
          int index = i + g.nx() * (j + g.ny() * k);
          short v = voxels[index];
          return within != null && within[index] == 0 && v >= iso ? fill : v;
        });
  }

  /** The surface at 0.5 of a binary label map (non-zero labels are 1, everything else 0). */
  public static GridSurface ofLabels(VolumeGeometry g, byte[] labels) {
    Grid grid = new Grid(g);
    grid.mark(index -> labels[index] != 0);
    return grid.surface(
        0.5,
        (i, j, k) ->
            i < 0 || j < 0 || k < 0 || i >= g.nx() || j >= g.ny() || k >= g.nz()
                ? 0
                : labels[i + g.nx() * (j + g.ny() * k)] != 0 ? 1 : 0);
  }

  @FunctionalInterface
  private interface Values {
    /** The value at voxel (i, j, k) of the unpadded grid (any index, beyond it the fill). */
    double at(int i, int j, int k);
  }

  /**
   * The padded grid's inside bits: row (J, K) of padded indices holds bit I for padded column I;
   * padded index 0 and n + 1 are the background frame.
   */
  private static final class Grid {
    private final VolumeGeometry g;
    private final int px;
    private final int py;
    private final int pz;
    private final int words;
    private final long[] bits;
    // first vertex id of each (row, word) for crossings along x, y (to the next row) and z (to the
    // next slice)
    private int[] xStart;
    private int[] yStart;
    private int[] zStart;

    Grid(VolumeGeometry g) {
      this.g = g;
      this.px = g.nx() + 2;
      this.py = g.ny() + 2;
      this.pz = g.nz() + 2;
      this.words = (px + 63) >>> 6;
      long size = (long) py * pz * words;
      if (size > Integer.MAX_VALUE - 16) {
        throw new ModelingException(
            "modeling:surface.too-large", "the volume is too large to contour in one piece");
      }
      this.bits = new long[(int) size];
    }

    int row(int j, int k) {
      return (k * py + j) * words;
    }

    /**
     * Sets the bit of every voxel (index into the unpadded arrays) that is inside, slices in
     * parallel.
     */
    void mark(java.util.function.IntPredicate inside) {
      IntStream.range(0, g.nz())
          .parallel()
          .forEach(
              k -> {
                for (int j = 0; j < g.ny(); j++) {
                  int from = g.nx() * (j + g.ny() * k);
                  int row = row(j + 1, k + 1);
                  for (int i = 0; i < g.nx(); i++) {
                    if (inside.test(from + i)) {
                      bits[row + ((i + 1) >>> 6)] |= 1L << (i + 1);
                    }
                  }
                }
              });
    }

    private long word(int row, int w) {
      return w < words ? bits[row + w] : 0L;
    }

    /** Crossings along x in word w of a row: bit I set where inside(I) differs from inside(I+1). */
    private long xCross(int row, int w) {
      long a = bits[row + w];
      return a ^ ((a >>> 1) | (word(row, w + 1) << 63));
    }

    private long yCross(int j, int k, int w) {
      return j + 1 < py ? bits[row(j, k) + w] ^ bits[row(j + 1, k) + w] : 0L;
    }

    private long zCross(int j, int k, int w) {
      return k + 1 < pz ? bits[row(j, k) + w] ^ bits[row(j, k + 1) + w] : 0L;
    }

    GridSurface surface(double iso, Values values) {
      int[][] table = CaseTable.get();
      int cells = py * pz * words;
      xStart = new int[cells];
      yStart = new int[cells];
      zStart = new int[cells];
      // pass 1: crossings per slice
      long[] perSlice = new long[pz];
      IntStream.range(0, pz)
          .parallel()
          .forEach(
              k -> {
                long n = 0;
                for (int j = 0; j < py; j++) {
                  int row = row(j, k);
                  for (int w = 0; w < words; w++) {
                    n += Long.bitCount(xCross(row, w));
                    n += Long.bitCount(yCross(j, k, w));
                    n += Long.bitCount(zCross(j, k, w));
                  }
                }
                perSlice[k] = n;
              });
      long[] sliceBase = new long[pz + 1];
      for (int k = 0; k < pz; k++) {
        sliceBase[k + 1] = sliceBase[k] + perSlice[k];
      }
      if (sliceBase[pz] * 3 > Integer.MAX_VALUE - 16) {
        throw new ModelingException(
            "modeling:surface.too-large", "the surface has too many vertices for one mesh");
      }
      double[] points = new double[(int) sliceBase[pz] * 3];
      // pass 2: vertex ids per word and vertex positions, slice by slice
      IntStream.range(0, pz)
          .parallel()
          .forEach(k -> vertices(k, (int) sliceBase[k], iso, values, points));
      // pass 3: triangles of the cells between slice k and k + 1, in fixed slabs
      int slabs = Math.min(SLABS, pz - 1);
      IntList[] parts = new IntList[slabs];
      IntStream.range(0, slabs)
          .parallel()
          .forEach(
              s -> {
                IntList out = new IntList();
                int from = (int) ((long) (pz - 1) * s / slabs);
                int to = (int) ((long) (pz - 1) * (s + 1) / slabs);
                for (int k = from; k < to; k++) {
                  triangles(k, table, out);
                }
                parts[s] = out;
              });
      int total = 0;
      for (IntList part : parts) {
        total += part.size;
      }
      int[] triangles = new int[total];
      int at = 0;
      for (IntList part : parts) {
        System.arraycopy(part.values, 0, triangles, at, part.size);
        at += part.size;
      }
      return new GridSurface(points, triangles);
    }

    private void vertices(int k, int id, double iso, Values values, double[] points) {
      double sx = g.sx();
      double sy = g.sy();
      double sz = g.sz();
      // padded (I, J, K) is voxel (I - 1, J - 1, K - 1) at ((I - 1) sx, (J - 1) sy, (K - 1) sz)
      for (int j = 0; j < py; j++) {
        int row = row(j, k);
        for (int w = 0; w < words; w++) {
          xStart[row + w] = id;
          for (long c = xCross(row, w); c != 0; c &= c - 1) {
            int i = (w << 6) + Long.numberOfTrailingZeros(c);
            double s0 = values.at(i - 1, j - 1, k - 1);
            double s1 = values.at(i, j - 1, k - 1);
            put(points, id++, (i - 1 + (iso - s0) / (s1 - s0)) * sx, (j - 1) * sy, (k - 1) * sz);
          }
        }
      }
      for (int j = 0; j < py; j++) {
        int row = row(j, k);
        for (int w = 0; w < words; w++) {
          yStart[row + w] = id;
          for (long c = yCross(j, k, w); c != 0; c &= c - 1) {
            int i = (w << 6) + Long.numberOfTrailingZeros(c);
            double s0 = values.at(i - 1, j - 1, k - 1);
            double s1 = values.at(i - 1, j, k - 1);
            put(points, id++, (i - 1) * sx, (j - 1 + (iso - s0) / (s1 - s0)) * sy, (k - 1) * sz);
          }
        }
      }
      for (int j = 0; j < py; j++) {
        int row = row(j, k);
        for (int w = 0; w < words; w++) {
          zStart[row + w] = id;
          for (long c = zCross(j, k, w); c != 0; c &= c - 1) {
            int i = (w << 6) + Long.numberOfTrailingZeros(c);
            double s0 = values.at(i - 1, j - 1, k - 1);
            double s1 = values.at(i - 1, j - 1, k);
            put(points, id++, (i - 1) * sx, (j - 1) * sy, (k - 1 + (iso - s0) / (s1 - s0)) * sz);
          }
        }
      }
    }

    private static void put(double[] points, int id, double x, double y, double z) {
      points[3 * id] = x;
      points[3 * id + 1] = y;
      points[3 * id + 2] = z;
    }

    private static int bit(long[] bits, int row, int i) {
      return (int) (bits[row + (i >>> 6)] >>> i) & 1;
    }

    private static int rank(int start, long cross, int i) {
      return start + Long.bitCount(cross & ((1L << i) - 1));
    }

    private void triangles(int k, int[][] table, IntList out) {
      for (int j = 0; j + 1 < py; j++) {
        int a = row(j, k);
        int b = row(j + 1, k);
        int c = row(j, k + 1);
        int d = row(j + 1, k + 1);
        for (int w = 0; w < words; w++) {
          long any = bits[a + w] | bits[b + w] | bits[c + w] | bits[d + w];
          long all = bits[a + w] & bits[b + w] & bits[c + w] & bits[d + w];
          long anyNext = word(a, w + 1) | word(b, w + 1) | word(c, w + 1) | word(d, w + 1);
          long allNext = word(a, w + 1) & word(b, w + 1) & word(c, w + 1) & word(d, w + 1);
          long active =
              (any | (any >>> 1) | (anyNext << 63)) & ~(all & ((all >>> 1) | (allNext << 63)));
          for (; active != 0; active &= active - 1) {
            int i = (w << 6) + Long.numberOfTrailingZeros(active);
            if (i + 1 >= px) {
              break;
            }
            int code =
                bit(bits, a, i)
                    | bit(bits, a, i + 1) << 1
                    | bit(bits, b, i) << 2
                    | bit(bits, b, i + 1) << 3
                    | bit(bits, c, i) << 4
                    | bit(bits, c, i + 1) << 5
                    | bit(bits, d, i) << 6
                    | bit(bits, d, i + 1) << 7;
            for (int edge : table[code]) {
              out.add(vertex(edge, i, j, k));
            }
          }
        }
      }
    }

    /** The vertex on a cell's edge (numbering of {@link CaseTable}) for the cell at (i, j, k). */
    private int vertex(int edge, int i, int j, int k) {
      int ii = edge == 5 || edge == 7 || edge == 9 || edge == 11 ? i + 1 : i;
      int jj = edge == 1 || edge == 3 || edge == 10 || edge == 11 ? j + 1 : j;
      int kk = edge == 2 || edge == 3 || edge == 6 || edge == 7 ? k + 1 : k;
      int row = row(jj, kk);
      int w = ii >>> 6;
      int bitIndex = ii & 63;
      if (edge < 4) {
        return rank(xStart[row + w], xCross(row, w), bitIndex);
      }
      if (edge < 8) {
        return rank(yStart[row + w], yCross(jj, kk, w), bitIndex);
      }
      return rank(zStart[row + w], zCross(jj, kk, w), bitIndex);
    }
  }

  /** A growable int array. */
  private static final class IntList {
    int[] values = new int[1 << 12];
    int size;

    void add(int value) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, values.length * 2);
      }
      values[size++] = value;
    }
  }

  /**
   * The triangles of each of the 256 cases of a cell, as edge numbers three per triangle. Corner
   * {@code x + 2y + 4z} of the cell is bit {@code x + 2y + 4z} of the case (set: inside). Edges:
   * 0-3 along x at (y, z) = (0,0), (1,0), (0,1), (1,1); 4-7 along y at (x, z) = (0,0), (1,0),
   * (0,1), (1,1); 8-11 along z at (x, y) = (0,0), (1,0), (0,1), (1,1). Read from VTK's flying edges
   * run on a single cell per case.
   */
  static final class CaseTable {
    private static volatile int[][] table;

    private CaseTable() {}

    static int[][] get() {
      int[][] t = table;
      if (t == null) {
        synchronized (CaseTable.class) {
          t = table;
          if (t == null) {
            t = read();
            table = t;
          }
        }
      }
      return t;
    }

    private static int[][] read() {
      VtkSurface.loadNatives();
      int[][] cases = new int[256][];
      for (int code = 0; code < 256; code++) {
        List<vtkObjectBase> natives = new ArrayList<>();
        try {
          double[] corners = new double[8];
          for (int p = 0; p < 8; p++) {
            corners[p] = ((code >>> p) & 1) == 1 ? 1 : -1;
          }
          vtkDoubleArray scalars = keep(natives, new vtkDoubleArray());
          scalars.SetJavaArray(corners);
          vtkImageData image = keep(natives, new vtkImageData());
          image.SetDimensions(2, 2, 2);
          image.SetSpacing(1, 1, 1);
          image.SetOrigin(0, 0, 0);
          image.GetPointData().SetScalars(scalars);
          vtkFlyingEdges3D edges = keep(natives, new vtkFlyingEdges3D());
          edges.SetInputData(image);
          edges.SetValue(0, 0);
          edges.ComputeNormalsOff();
          edges.ComputeGradientsOff();
          edges.ComputeScalarsOff();
          edges.Update();
          vtkPolyData output = edges.GetOutput();
          int points = (int) output.GetNumberOfPoints();
          int[] edgeOfPoint = new int[points];
          for (int p = 0; p < points; p++) {
            edgeOfPoint[p] = edgeAt(output.GetPoint(p));
          }
          vtkCellArray polys = output.GetPolys();
          polys.ConvertTo32BitStorage();
          int[] offsets = polys.GetOffsetsArray32().GetJavaArray();
          int[] connectivity = polys.GetConnectivityArray32().GetJavaArray();
          for (int cell = 1; cell < offsets.length; cell++) {
            if (offsets[cell] - offsets[cell - 1] != 3) {
              throw new ModelingException(
                  "modeling:surface.not-triangles", "flying edges produced a non-triangle cell");
            }
          }
          int[] triangles = new int[connectivity.length];
          for (int n = 0; n < connectivity.length; n++) {
            triangles[n] = edgeOfPoint[connectivity[n]];
          }
          cases[code] = triangles;
        } finally {
          for (vtkObjectBase object : natives) {
            object.Delete();
          }
        }
      }
      return cases;
    }

    private static int edgeAt(double[] p) {
      int x = half(p[0]);
      int y = half(p[1]);
      int z = half(p[2]);
      if (x == 2 && y != 2 && z != 2) {
        return y + 2 * z;
      }
      if (y == 2 && x != 2 && z != 2) {
        return 4 + x + 2 * z;
      }
      if (z == 2 && x != 2 && y != 2) {
        return 8 + x + 2 * y;
      }
      throw new ModelingException(
          "modeling:surface.case-table",
          "flying edges put a vertex of a unit cell off its edges' midpoints");
    }

    /** 0 or 1 for a corner coordinate, 2 for an edge's midpoint. */
    private static int half(double c) {
      if (Math.abs(c) < 1e-9) {
        return 0;
      }
      if (Math.abs(c - 1) < 1e-9) {
        return 1;
      }
      if (Math.abs(c - 0.5) < 1e-9) {
        return 2;
      }
      return 3;
    }

    private static <T extends vtkObjectBase> T keep(List<vtkObjectBase> natives, T object) {
      natives.add(object);
      return object;
    }
  }
}

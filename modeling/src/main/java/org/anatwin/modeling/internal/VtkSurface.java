package org.anatwin.modeling.internal;

import java.util.ArrayList;
import java.util.List;
import org.anatwin.model.TriangleMesh;
import org.anatwin.model.VolumeGeometry;
import org.anatwin.modeling.ModelingException;
import org.apache.commons.geometry.euclidean.threed.AffineTransformMatrix3D;
import vtk.vtkCellArray;
import vtk.vtkDataArray;
import vtk.vtkDoubleArray;
import vtk.vtkFloatArray;
import vtk.vtkFlyingEdges3D;
import vtk.vtkImageData;
import vtk.vtkNativeLibrary;
import vtk.vtkObjectBase;
import vtk.vtkPolyData;
import vtk.vtkPolyDataConnectivityFilter;
import vtk.vtkShortArray;
import vtk.vtkUnsignedCharArray;
import vtk.vtkWindowedSincPolyDataFilter;

/**
 * The VTK pipelines that turn a binary label map (flying edges at 0.5) or a scalar volume (flying
 * edges at an iso value, interpolated along voxel edges) into a closed surface: pad by one voxel of
 * background on every side (so the surface closes where anatomy leaves the scan), optionally keep
 * the largest connected region, windowed-sinc smoothing. Arrays cross into and out of VTK whole;
 * native objects are freed before returning. Each call builds its own pipeline, so calls on
 * different threads are safe.
 */
public final class VtkSurface {
  private static final String[] LIBRARIES = {
    "vtkCommonCore",
    "vtkCommonMath",
    "vtkCommonMisc",
    "vtkCommonSystem",
    "vtkCommonTransforms",
    "vtkCommonDataModel",
    "vtkCommonExecutionModel",
    "vtkFiltersCore"
  };
  private static volatile boolean loaded;

  /** Smoothing as 3D Slicer's surface smoothing: iterations and the windowed-sinc pass band. */
  public record Settings(int smoothingIterations, double passBand, boolean keepLargestRegion) {}

  private VtkSurface() {}

  static synchronized void loadNatives() {
    if (loaded) {
      return;
    }
    try {
      for (String name : LIBRARIES) {
        vtkNativeLibrary library = vtkNativeLibrary.valueOf(name);
        if (!library.IsLoaded()) {
          library.LoadLibrary();
        }
      }
      vtkNativeLibrary.DisableOutputWindow(null);
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      throw new ModelingException(
          "modeling:vtk.unavailable",
          "VTK's native libraries did not load; run with -Djava.library.path=/usr/lib/x86_64-linux-gnu/java/vtk-Linux-x86_64 (./anatwin does): "
              + e.getMessage(),
          e);
    }
    loaded = true;
  }

  /** Builds the surface of the voxels whose label is non-zero, in patient coordinates. */
  public static TriangleMesh surface(VolumeGeometry g, byte[] labels, Settings settings) {
    loadNatives();
    byte[] padded = new byte[paddedSize(g)];
    for (int k = 0; k < g.nz(); k++) {
      for (int j = 0; j < g.ny(); j++) {
        int from = g.nx() * (j + g.ny() * k);
        int to = paddedIndex(g, 0, j, k);
        for (int i = 0; i < g.nx(); i++) {
          padded[to + i] = labels[from + i] != 0 ? (byte) 1 : 0;
        }
      }
    }
    List<vtkObjectBase> natives = new ArrayList<>();
    try {
      vtkUnsignedCharArray scalars = keep(natives, new vtkUnsignedCharArray());
      scalars.SetJavaArray(padded);
      return contour(g, scalars, 0.5, settings, true, natives);
    } finally {
      for (vtkObjectBase object : natives) {
        object.Delete();
      }
    }
  }

  /**
   * Builds the iso-surface at {@code iso} of a scalar volume (HU), interpolating along voxel edges,
   * in patient coordinates; the volume is padded with {@code fill} (below {@code iso}) so the
   * surface closes where the object leaves the scan.
   */
  public static TriangleMesh isoSurface(
      VolumeGeometry g, short[] voxels, double iso, short fill, Settings settings) {
    loadNatives();
    short[] padded = new short[paddedSize(g)];
    java.util.Arrays.fill(padded, fill);
    for (int k = 0; k < g.nz(); k++) {
      for (int j = 0; j < g.ny(); j++) {
        System.arraycopy(
            voxels, g.nx() * (j + g.ny() * k), padded, paddedIndex(g, 0, j, k), g.nx());
      }
    }
    List<vtkObjectBase> natives = new ArrayList<>();
    try {
      vtkShortArray scalars = keep(natives, new vtkShortArray());
      scalars.SetJavaArray(padded);
      return contour(g, scalars, iso, settings, false, natives);
    } finally {
      for (vtkObjectBase object : natives) {
        object.Delete();
      }
    }
  }

  private static int paddedSize(VolumeGeometry g) {
    return Math.multiplyExact(Math.multiplyExact(g.nx() + 2, g.ny() + 2), g.nz() + 2);
  }

  private static int paddedIndex(VolumeGeometry g, int i, int j, int k) {
    return (i + 1) + (g.nx() + 2) * ((j + 1) + (g.ny() + 2) * (k + 1));
  }

  private static TriangleMesh contour(
      VolumeGeometry g,
      vtkDataArray scalars,
      double iso,
      Settings settings,
      boolean withinHalfVoxel,
      List<vtkObjectBase> natives) {
    vtkImageData image = keep(natives, new vtkImageData());
    image.SetDimensions(g.nx() + 2, g.ny() + 2, g.nz() + 2);
    image.SetSpacing(g.sx(), g.sy(), g.sz());
    image.SetOrigin(-g.sx(), -g.sy(), -g.sz());
    image.GetPointData().SetScalars(scalars);

    vtkFlyingEdges3D edges = keep(natives, new vtkFlyingEdges3D());
    edges.SetInputData(image);
    edges.SetValue(0, iso);
    edges.ComputeNormalsOff();
    edges.ComputeGradientsOff();
    edges.ComputeScalarsOff();
    edges.Update();
    vtkPolyData current = edges.GetOutput();

    if (settings.keepLargestRegion()) {
      vtkPolyDataConnectivityFilter largest = keep(natives, new vtkPolyDataConnectivityFilter());
      largest.SetInputData(current);
      largest.SetExtractionModeToLargestRegion();
      largest.Update();
      current = largest.GetOutput();
    }
    if (settings.smoothingIterations() > 0) {
      vtkWindowedSincPolyDataFilter smooth = keep(natives, new vtkWindowedSincPolyDataFilter());
      smooth.SetInputData(current);
      smooth.SetNumberOfIterations(settings.smoothingIterations());
      smooth.SetPassBand(settings.passBand());
      smooth.BoundarySmoothingOff();
      smooth.FeatureEdgeSmoothingOff();
      smooth.NonManifoldSmoothingOn();
      smooth.NormalizeCoordinatesOn();
      smooth.Update();
      current = smooth.GetOutput();
    }
    if (current.GetNumberOfPolys() == 0) {
      throw new ModelingException("modeling:surface.empty", "the volume produced no surface");
    }
    double[] grid = points(current.GetPoints().GetData());
    if (withinHalfVoxel) {
      clampToHalfVoxel(g, grid);
    }
    vtkCellArray polys = current.GetPolys();
    polys.ConvertTo32BitStorage();
    int[] offsets = polys.GetOffsetsArray32().GetJavaArray();
    int[] connectivity = polys.GetConnectivityArray32().GetJavaArray();
    for (int c = 1; c < offsets.length; c++) {
      if (offsets[c] - offsets[c - 1] != 3) {
        throw new ModelingException(
            "modeling:surface.not-triangles", "flying edges produced a non-triangle cell");
      }
    }
    return toPatient(g.gridToPatient(), grid, connectivity);
  }

  /**
   * A label map says nothing beyond its grid: the surface of labels on its first or last plane lies
   * half a voxel outside, and smoothing's ringing may push it further; this puts such vertices back
   * onto the half-voxel boundary (grid millimetres, in place).
   */
  private static void clampToHalfVoxel(VolumeGeometry g, double[] grid) {
    double[] step = {g.sx(), g.sy(), g.sz()};
    int[] size = {g.nx(), g.ny(), g.nz()};
    for (int p = 0; p < grid.length; p++) {
      int axis = p % 3;
      double low = -0.5 * step[axis];
      double high = (size[axis] - 0.5) * step[axis];
      grid[p] = Math.max(low, Math.min(high, grid[p]));
    }
  }

  private static <T extends vtkObjectBase> T keep(List<vtkObjectBase> natives, T object) {
    natives.add(object);
    return object;
  }

  private static double[] points(vtkDataArray data) {
    if (data instanceof vtkFloatArray floats) {
      float[] f = floats.GetJavaArray();
      double[] d = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        d[i] = f[i];
      }
      return d;
    }
    if (data instanceof vtkDoubleArray doubles) {
      return doubles.GetJavaArray();
    }
    throw new ModelingException(
        "modeling:surface.point-type", "unexpected VTK point type " + data.GetClassName());
  }

  /**
   * Drops unused points, maps grid millimetres to patient coordinates, and winds triangles so that
   * their normals point outward (the enclosed volume is positive), whatever the handedness of the
   * series' directions.
   */
  static TriangleMesh toPatient(
      AffineTransformMatrix3D gridToPatient, double[] grid, int[] triangles) {
    int[] remap = new int[grid.length / 3];
    java.util.Arrays.fill(remap, -1);
    int used = 0;
    for (int index : triangles) {
      if (remap[index] < 0) {
        remap[index] = used++;
      }
    }
    double[] m = gridToPatient.toArray();
    float[] points = new float[3 * used];
    for (int v = 0; v < remap.length; v++) {
      int r = remap[v];
      if (r < 0) {
        continue;
      }
      double x = grid[3 * v], y = grid[3 * v + 1], z = grid[3 * v + 2];
      points[3 * r] = (float) (m[0] * x + m[1] * y + m[2] * z + m[3]);
      points[3 * r + 1] = (float) (m[4] * x + m[5] * y + m[6] * z + m[7]);
      points[3 * r + 2] = (float) (m[8] * x + m[9] * y + m[10] * z + m[11]);
    }
    int[] out = new int[triangles.length];
    for (int i = 0; i < triangles.length; i++) {
      out[i] = remap[triangles[i]];
    }
    if (MeshMath.signedVolume(points, out) < 0) {
      for (int i = 0; i < out.length; i += 3) {
        int swap = out[i + 1];
        out[i + 1] = out[i + 2];
        out[i + 2] = swap;
      }
    }
    return new TriangleMesh(points, out);
  }
}

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
import vtk.vtkNativeLibrary;
import vtk.vtkObjectBase;
import vtk.vtkPoints;
import vtk.vtkPolyData;
import vtk.vtkTypeInt32Array;
import vtk.vtkWindowedSincPolyDataFilter;

/**
 * Turns the surface {@link MarchingCubes} made of a padded label map or scalar volume (closed where
 * anatomy leaves the scan) into a patient-coordinate mesh, with VTK's windowed-sinc smoothing when
 * asked. Arrays cross into and out of VTK whole; native objects are freed before returning. Each
 * call builds its own pipeline, so calls on different threads are safe.
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
  public record Settings(int smoothingIterations, double passBand) {}

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

  /**
   * The mesh of a surface from {@link MarchingCubes}, after {@code settings}' smoothing (if any,
   * through VTK), in patient coordinates; {@code withinHalfVoxel} puts vertices that smoothing
   * pushed beyond the half-voxel frame of the grid back onto it (for label maps).
   */
  public static TriangleMesh mesh(
      VolumeGeometry g,
      MarchingCubes.GridSurface surface,
      Settings settings,
      boolean withinHalfVoxel) {
    if (surface.triangles().length == 0) {
      throw new ModelingException("modeling:surface.empty", "the volume produced no surface");
    }
    if (settings.smoothingIterations() == 0) {
      return toPatient(g.gridToPatient(), surface.points(), surface.triangles());
    }
    loadNatives();
    List<vtkObjectBase> natives = new ArrayList<>();
    try {
      vtkDoubleArray xyz = keep(natives, new vtkDoubleArray());
      xyz.SetNumberOfComponents(3);
      xyz.SetJavaArray(surface.points());
      vtkPoints points = keep(natives, new vtkPoints());
      points.SetData(xyz);
      int triangles = surface.triangles().length / 3;
      int[] offsets = new int[triangles + 1];
      for (int t = 0; t <= triangles; t++) {
        offsets[t] = 3 * t;
      }
      vtkTypeInt32Array offsetArray = keep(natives, new vtkTypeInt32Array());
      offsetArray.SetJavaArray(offsets);
      vtkTypeInt32Array connectivity = keep(natives, new vtkTypeInt32Array());
      connectivity.SetJavaArray(surface.triangles());
      vtkCellArray polys = keep(natives, new vtkCellArray());
      if (!polys.SetData(offsetArray, connectivity)
          || points.GetNumberOfPoints() * 3 != surface.points().length) {
        throw new ModelingException(
            "modeling:surface.vtk-input", "VTK did not take the surface's arrays");
      }
      vtkPolyData input = keep(natives, new vtkPolyData());
      input.SetPoints(points);
      input.SetPolys(polys);

      vtkWindowedSincPolyDataFilter smooth = keep(natives, new vtkWindowedSincPolyDataFilter());
      smooth.SetInputData(input);
      smooth.SetNumberOfIterations(settings.smoothingIterations());
      smooth.SetPassBand(settings.passBand());
      smooth.BoundarySmoothingOff();
      smooth.FeatureEdgeSmoothingOff();
      smooth.NonManifoldSmoothingOn();
      smooth.NormalizeCoordinatesOn();
      smooth.Update();
      vtkPolyData current = smooth.GetOutput();
      double[] grid = points(current.GetPoints().GetData());
      if (withinHalfVoxel) {
        clampToHalfVoxel(g, grid);
      }
      vtkCellArray out = current.GetPolys();
      out.ConvertTo32BitStorage();
      int[] outOffsets = out.GetOffsetsArray32().GetJavaArray();
      int[] outConnectivity = out.GetConnectivityArray32().GetJavaArray();
      for (int c = 1; c < outOffsets.length; c++) {
        if (outOffsets[c] - outOffsets[c - 1] != 3) {
          throw new ModelingException(
              "modeling:surface.not-triangles", "smoothing produced a non-triangle cell");
        }
      }
      return toPatient(g.gridToPatient(), grid, outConnectivity);
    } finally {
      for (vtkObjectBase object : natives) {
        object.Delete();
      }
    }
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

package org.anatwin.modeling.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.anatwin.model.VolumeGeometry;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.junit.jupiter.api.Test;
import vtk.vtkCellArray;
import vtk.vtkDataArray;
import vtk.vtkDiscreteFlyingEdges3D;
import vtk.vtkFloatArray;
import vtk.vtkFlyingEdges3D;
import vtk.vtkImageData;
import vtk.vtkNativeLibrary;
import vtk.vtkObjectBase;
import vtk.vtkPolyData;
import vtk.vtkShortArray;

/**
 * Our cell-by-cell contouring against VTK's own {@code vtkFlyingEdges3D} on the padded copy it used
 * to get: the same vertices (to 1e-4 mm) and the same triangles with the same winding.
 */
class MarchingCubesTests {
  // 70 columns: the padded row of 72 bits spans two words, so the word seams are crossed
  private static final VolumeGeometry GRID =
      new VolumeGeometry(
          70,
          66,
          23,
          0.7,
          0.9,
          1.3,
          Vector3D.of(-20, 10, 5),
          Vector3D.Unit.PLUS_X,
          Vector3D.Unit.PLUS_Y,
          Vector3D.Unit.PLUS_Z);

  @Test
  void everyCaseHasTrianglesOnItsOwnEdgesAndTheEmptyCasesNone() {
    int[][] table = MarchingCubes.CaseTable.get();
    assertThat(table[0]).isEmpty();
    assertThat(table[255]).isEmpty();
    for (int code = 1; code < 255; code++) {
      assertThat(table[code].length % 3).isZero();
      assertThat(table[code]).as("case %d", code).isNotEmpty();
      for (int edge : table[code]) {
        assertThat(edge).isBetween(0, 11);
      }
    }
    // one corner inside: one triangle on the three edges at that corner
    assertThat(Arrays.stream(table[1]).sorted().toArray()).containsExactly(0, 4, 8);
    assertThat(Arrays.stream(table[128]).sorted().toArray()).containsExactly(3, 7, 11);
  }

  @Test
  void noisyObjectsCutByTheGridGiveVtksSurface() {
    short[] voxels = noisySpheres(7);
    short fill = -1200;
    MarchingCubes.GridSurface ours = MarchingCubes.ofScalars(GRID, voxels, null, 299.5, fill);
    MarchingCubes.GridSurface vtk = vtkFlyingEdges(paddedShorts(voxels, fill), 299.5);
    assertThat(ours.triangles().length).isGreaterThan(3000);
    assertSameSurface(ours, vtk);
  }

  @Test
  void voxelsOutsideTheMaskCountAsFill() {
    short[] voxels = noisySpheres(11);
    byte[] within = new byte[voxels.length];
    for (int i = 0; i < within.length; i++) {
      within[i] = (byte) ((i % GRID.nx()) < 40 ? 1 : 0);
    }
    short fill = -1100;
    short[] masked = voxels.clone();
    for (int i = 0; i < masked.length; i++) {
      if (within[i] == 0 && masked[i] >= 299.5) {
        masked[i] = fill;
      }
    }
    MarchingCubes.GridSurface ours = MarchingCubes.ofScalars(GRID, voxels, within, 299.5, fill);
    MarchingCubes.GridSurface unmasked = MarchingCubes.ofScalars(GRID, voxels, null, 299.5, fill);
    assertThat(ours.triangles().length).isNotEqualTo(unmasked.triangles().length);
    assertSameSurface(ours, vtkFlyingEdges(paddedShorts(masked, fill), 299.5));
  }

  @Test
  void aLabelMapGivesVtksSurfaceAtOneHalf() {
    short[] voxels = noisySpheres(3);
    byte[] labels = new byte[voxels.length];
    short[] asShorts = new short[voxels.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (byte) (voxels[i] >= 300 ? 2 : 0);
      asShorts[i] = (short) (labels[i] != 0 ? 1 : 0);
    }
    MarchingCubes.GridSurface ours = MarchingCubes.ofLabels(GRID, labels);
    assertSameSurface(ours, vtkFlyingEdges(paddedShorts(asShorts, (short) 0), 0.5));
  }

  /**
   * One mesh per label of a multi-label map: each label's surface is what VTK's discrete flying
   * edges gives for that label value (shared interfaces at the same midpoints).
   */
  @Test
  void eachLabelOfAMultiLabelMapGivesVtksDiscreteFlyingEdgesSurface() {
    short[] voxels = noisySpheres(9);
    short[] multi = new short[voxels.length];
    for (int i = 0; i < multi.length; i++) {
      // label 1 where dense, label 2 in the shell around it: the two touch everywhere
      multi[i] = (short) (voxels[i] >= 500 ? 1 : voxels[i] >= 200 ? 2 : 0);
    }
    for (short label = 1; label <= 2; label++) {
      byte[] binary = new byte[multi.length];
      for (int i = 0; i < multi.length; i++) {
        binary[i] = (byte) (multi[i] == label ? 1 : 0);
      }
      MarchingCubes.GridSurface ours = MarchingCubes.ofLabels(GRID, binary);
      assertThat(ours.triangles().length).isGreaterThan(300);
      assertSameSurface(ours, vtkContour(paddedShorts(multi, (short) 0), label, true));
    }
  }

  @Test
  void theSameInputGivesTheSameArrays() {
    short[] voxels = noisySpheres(5);
    MarchingCubes.GridSurface a = MarchingCubes.ofScalars(GRID, voxels, null, 299.5, (short) -2000);
    MarchingCubes.GridSurface b = MarchingCubes.ofScalars(GRID, voxels, null, 299.5, (short) -2000);
    assertThat(b.points()).containsExactly(a.points());
    assertThat(b.triangles()).containsExactly(a.triangles());
  }

  /** Two noisy spheres, one cut by the grid's first slice and first column, the other inside. */
  private static short[] noisySpheres(long seed) {
    Random random = new Random(seed);
    short[] v = new short[(int) GRID.voxelCount()];
    double[][] centres = {{3, 20, 2}, {30, 30, 15}};
    double[] radii = {12, 9};
    for (int k = 0; k < GRID.nz(); k++) {
      for (int j = 0; j < GRID.ny(); j++) {
        for (int i = 0; i < GRID.nx(); i++) {
          double value = -1000;
          for (int s = 0; s < 2; s++) {
            double dx = (i * GRID.sx()) - centres[s][0];
            double dy = (j * GRID.sy()) - centres[s][1];
            double dz = (k * GRID.sz()) - centres[s][2];
            double depth = radii[s] - Math.sqrt(dx * dx + dy * dy + dz * dz);
            value = Math.max(value, 300 + 400 * Math.tanh(depth));
          }
          v[i + GRID.nx() * (j + GRID.ny() * k)] = (short) (value + random.nextGaussian() * 60);
        }
      }
    }
    return v;
  }

  private static short[] paddedShorts(short[] voxels, short fill) {
    int px = GRID.nx() + 2;
    int py = GRID.ny() + 2;
    short[] padded = new short[px * py * (GRID.nz() + 2)];
    Arrays.fill(padded, fill);
    for (int k = 0; k < GRID.nz(); k++) {
      for (int j = 0; j < GRID.ny(); j++) {
        System.arraycopy(
            voxels,
            GRID.nx() * (j + GRID.ny() * k),
            padded,
            1 + px * ((j + 1) + py * (k + 1)),
            GRID.nx());
      }
    }
    return padded;
  }

  private static MarchingCubes.GridSurface vtkFlyingEdges(short[] padded, double iso) {
    return vtkContour(padded, iso, false);
  }

  private static MarchingCubes.GridSurface vtkContour(
      short[] padded, double value, boolean discrete) {
    VtkSurface.loadNatives();
    vtkNativeLibrary general = vtkNativeLibrary.valueOf("vtkFiltersGeneral");
    if (!general.IsLoaded()) {
      general.LoadLibrary();
    }
    List<vtkObjectBase> natives = new ArrayList<>();
    try {
      vtkShortArray scalars = new vtkShortArray();
      natives.add(scalars);
      scalars.SetJavaArray(padded);
      vtkImageData image = new vtkImageData();
      natives.add(image);
      image.SetDimensions(GRID.nx() + 2, GRID.ny() + 2, GRID.nz() + 2);
      image.SetSpacing(GRID.sx(), GRID.sy(), GRID.sz());
      image.SetOrigin(-GRID.sx(), -GRID.sy(), -GRID.sz());
      image.GetPointData().SetScalars(scalars);
      vtkPolyData out;
      if (discrete) {
        vtkDiscreteFlyingEdges3D edges = new vtkDiscreteFlyingEdges3D();
        natives.add(edges);
        edges.SetInputData(image);
        edges.SetValue(0, value);
        edges.ComputeNormalsOff();
        edges.ComputeGradientsOff();
        edges.ComputeScalarsOff();
        edges.Update();
        out = edges.GetOutput();
      } else {
        vtkFlyingEdges3D edges = new vtkFlyingEdges3D();
        natives.add(edges);
        edges.SetInputData(image);
        edges.SetValue(0, value);
        edges.ComputeNormalsOff();
        edges.ComputeGradientsOff();
        edges.ComputeScalarsOff();
        edges.Update();
        out = edges.GetOutput();
      }
      vtkDataArray data = out.GetPoints().GetData();
      float[] f = ((vtkFloatArray) data).GetJavaArray();
      double[] points = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        points[i] = f[i];
      }
      vtkCellArray polys = out.GetPolys();
      polys.ConvertTo32BitStorage();
      return new MarchingCubes.GridSurface(points, polys.GetConnectivityArray32().GetJavaArray());
    } finally {
      natives.forEach(vtkObjectBase::Delete);
    }
  }

  /**
   * Same vertex positions (1e-4 mm) and the same triangles, each with the same winding. VTK's
   * output has one point no triangle uses (uninitialised); it is left out.
   */
  private static void assertSameSurface(
      MarchingCubes.GridSurface ours, MarchingCubes.GridSurface vtkWithUnused) {
    MarchingCubes.GridSurface vtk = withoutUnusedPoints(vtkWithUnused);
    assertThat(ours.points().length).isEqualTo(vtk.points().length);
    assertThat(ours.triangles().length).isEqualTo(vtk.triangles().length);
    Map<List<Long>, Integer> byCell = new HashMap<>();
    int n = ours.points().length / 3;
    for (int p = 0; p < n; p++) {
      byCell.put(cell(ours.points(), p, 0, 0, 0), p);
    }
    int[] vtkToOurs = new int[vtk.points().length / 3];
    for (int p = 0; p < vtkToOurs.length; p++) {
      vtkToOurs[p] = -1;
      for (int d = 0; d < 27 && vtkToOurs[p] < 0; d++) {
        Integer match = byCell.get(cell(vtk.points(), p, d % 3 - 1, d / 3 % 3 - 1, d / 9 - 1));
        if (match != null && distance(ours.points(), match, vtk.points(), p) < 1e-4) {
          vtkToOurs[p] = match;
        }
      }
      assertThat(vtkToOurs[p]).as("VTK vertex %d has a counterpart", p).isNotNegative();
    }
    Set<List<Integer>> ourTriangles = triangles(ours.triangles(), null);
    Set<List<Integer>> vtkTriangles = triangles(vtk.triangles(), vtkToOurs);
    assertThat(ourTriangles).hasSize(ours.triangles().length / 3).isEqualTo(vtkTriangles);
  }

  private static MarchingCubes.GridSurface withoutUnusedPoints(MarchingCubes.GridSurface s) {
    int[] remap = new int[s.points().length / 3];
    Arrays.fill(remap, -1);
    int used = 0;
    for (int index : s.triangles()) {
      if (remap[index] < 0) {
        remap[index] = used++;
      }
    }
    double[] points = new double[3 * used];
    for (int p = 0; p < remap.length; p++) {
      if (remap[p] >= 0) {
        System.arraycopy(s.points(), 3 * p, points, 3 * remap[p], 3);
      }
    }
    return new MarchingCubes.GridSurface(
        points, Arrays.stream(s.triangles()).map(i -> remap[i]).toArray());
  }

  private static List<Long> cell(double[] points, int p, int dx, int dy, int dz) {
    return List.of(
        Math.round(points[3 * p] * 1e3) + dx,
        Math.round(points[3 * p + 1] * 1e3) + dy,
        Math.round(points[3 * p + 2] * 1e3) + dz);
  }

  private static double distance(double[] a, int i, double[] b, int j) {
    double dx = a[3 * i] - b[3 * j];
    double dy = a[3 * i + 1] - b[3 * j + 1];
    double dz = a[3 * i + 2] - b[3 * j + 2];
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }

  /** Triangles as vertex triples rotated to start at their smallest index (winding kept). */
  private static Set<List<Integer>> triangles(int[] triangles, int[] map) {
    Set<List<Integer>> set = new HashSet<>();
    for (int t = 0; t < triangles.length; t += 3) {
      int[] v = new int[3];
      for (int c = 0; c < 3; c++) {
        v[c] = map == null ? triangles[t + c] : map[triangles[t + c]];
      }
      int first = v[0] <= v[1] && v[0] <= v[2] ? 0 : v[1] <= v[2] ? 1 : 2;
      set.add(List.of(v[first], v[(first + 1) % 3], v[(first + 2) % 3]));
    }
    return set;
  }
}

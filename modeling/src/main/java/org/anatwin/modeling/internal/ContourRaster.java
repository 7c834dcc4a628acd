package org.anatwin.modeling.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.anatwin.model.VolumeGeometry;
import org.anatwin.modeling.ModelingException;
import org.apache.commons.geometry.euclidean.threed.Vector3D;

/**
 * Rasterises closed planar contours (RT Structure Set Contour Data, patient coordinates in mm) onto
 * a grid with the given in-plane directions: voxel centres sit half a step inside the contours'
 * in-plane bounds, slices lie on the contour planes. A centre is inside when a scan line through it
 * crosses the plane's contours an odd number of times to its left (even-odd rule across all the
 * plane's contours, so a contour drawn inside another is a hole).
 */
public final class ContourRaster {
  /** A contour point may lie this far (mm) off its contour's plane. */
  private static final double PLANARITY_MM = 0.5;

  private final Vector3D.Unit row;
  private final Vector3D.Unit column;
  private final Vector3D.Unit normal;

  public record Result(VolumeGeometry geometry, byte[] labels) {}

  public ContourRaster(Vector3D.Unit row, Vector3D.Unit column) {
    this.row = row;
    this.column = column;
    this.normal = row.cross(column).normalize();
  }

  /**
   * The slice step: the smallest distance (over 0.01 mm) between two contour planes of any ROI;
   * when every contour lies in one plane, 1 mm.
   */
  public double planeStep(Collection<List<double[]>> rois) {
    List<Double> planes = new ArrayList<>();
    for (List<double[]> contours : rois) {
      for (double[] contour : contours) {
        planes.add(plane(contour));
      }
    }
    planes.sort(null);
    double step = Double.MAX_VALUE;
    for (int i = 1; i < planes.size(); i++) {
      double gap = planes.get(i) - planes.get(i - 1);
      if (gap > 0.01) {
        step = Math.min(step, gap);
      }
    }
    return step == Double.MAX_VALUE ? 1.0 : step;
  }

  /** The label map (1 inside) of one ROI's contours. */
  public Result rasterise(List<double[]> contours, double uStep, double vStep, double step) {
    double uMin = Double.MAX_VALUE, uMax = -Double.MAX_VALUE;
    double vMin = Double.MAX_VALUE, vMax = -Double.MAX_VALUE;
    double dMin = Double.MAX_VALUE, dMax = -Double.MAX_VALUE;
    double[] planes = new double[contours.size()];
    for (int c = 0; c < contours.size(); c++) {
      double[] points = contours.get(c);
      planes[c] = plane(points);
      dMin = Math.min(dMin, planes[c]);
      dMax = Math.max(dMax, planes[c]);
      for (int p = 0; p < points.length; p += 3) {
        Vector3D point = Vector3D.of(points[p], points[p + 1], points[p + 2]);
        uMin = Math.min(uMin, point.dot(row));
        uMax = Math.max(uMax, point.dot(row));
        vMin = Math.min(vMin, point.dot(column));
        vMax = Math.max(vMax, point.dot(column));
      }
    }
    int nx = Math.max(1, (int) Math.ceil((uMax - uMin) / uStep));
    int ny = Math.max(1, (int) Math.ceil((vMax - vMin) / vStep));
    int nz = (int) Math.round((dMax - dMin) / step) + 1;
    if ((long) nx * ny * nz > Integer.MAX_VALUE - 16) {
      throw new ModelingException(
          "modeling:rtstruct.too-large",
          "the contours span " + nx + "x" + ny + "x" + nz + " voxels, more than one grid holds");
    }
    double u0 = uMin + 0.5 * (uMax - uMin - (nx - 1) * uStep);
    double v0 = vMin + 0.5 * (vMax - vMin - (ny - 1) * vStep);
    List<List<double[]>> byPlane = new ArrayList<>();
    for (int k = 0; k < nz; k++) {
      byPlane.add(new ArrayList<>());
    }
    for (int c = 0; c < contours.size(); c++) {
      double index = (planes[c] - dMin) / step;
      long k = Math.round(index);
      if (Math.abs(index - k) > 0.1) {
        throw new ModelingException(
            "modeling:rtstruct.off-grid",
            "a contour at " + planes[c] + " mm lies between the planes stepped by " + step + " mm");
      }
      double[] points = contours.get(c);
      double[] uv = new double[2 * (points.length / 3)];
      for (int p = 0, q = 0; p < points.length; p += 3, q += 2) {
        Vector3D point = Vector3D.of(points[p], points[p + 1], points[p + 2]);
        uv[q] = point.dot(row);
        uv[q + 1] = point.dot(column);
      }
      byPlane.get((int) k).add(uv);
    }
    byte[] labels = new byte[nx * ny * nz];
    double[] crossings = new double[64];
    for (int k = 0; k < nz; k++) {
      List<double[]> plane = byPlane.get(k);
      if (plane.isEmpty()) {
        continue;
      }
      for (int j = 0; j < ny; j++) {
        double v = v0 + j * vStep;
        int count = 0;
        for (double[] uv : plane) {
          int n = uv.length / 2;
          for (int a = 0, b = n - 1; a < n; b = a++) {
            double va = uv[2 * a + 1], vb = uv[2 * b + 1];
            if ((va <= v) != (vb <= v)) {
              if (count == crossings.length) {
                crossings = java.util.Arrays.copyOf(crossings, 2 * count);
              }
              double ua = uv[2 * a], ub = uv[2 * b];
              crossings[count++] = ua + (v - va) * (ub - ua) / (vb - va);
            }
          }
        }
        java.util.Arrays.sort(crossings, 0, count);
        int base = nx * (j + ny * k);
        for (int c = 0; c + 1 < count; c += 2) {
          int from = Math.max(0, (int) Math.ceil((crossings[c] - u0) / uStep));
          int to = Math.min(nx - 1, (int) Math.floor((crossings[c + 1] - u0) / uStep));
          for (int i = from; i <= to; i++) {
            labels[base + i] = 1;
          }
        }
      }
    }
    Vector3D origin = row.multiply(u0).add(column.multiply(v0)).add(normal.multiply(dMin));
    return new Result(
        new VolumeGeometry(nx, ny, nz, uStep, vStep, step, origin, row, column, normal), labels);
  }

  /** The contour's distance along the normal; refuses a contour that is not in one plane. */
  private double plane(double[] points) {
    double sum = 0;
    double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
    for (int p = 0; p < points.length; p += 3) {
      double d =
          normal.getX() * points[p] + normal.getY() * points[p + 1] + normal.getZ() * points[p + 2];
      sum += d;
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    if (max - min > PLANARITY_MM) {
      throw new ModelingException(
          "modeling:rtstruct.contour-not-planar",
          "a contour spans "
              + (max - min)
              + " mm along the image normal; contours lie in image planes");
    }
    return sum / (points.length / 3);
  }
}

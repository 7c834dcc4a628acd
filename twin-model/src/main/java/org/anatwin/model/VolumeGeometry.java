package org.anatwin.model;

import org.apache.commons.geometry.euclidean.threed.AffineTransformMatrix3D;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.apache.commons.numbers.core.Precision;

/**
 * The grid of a {@link Volume} in DICOM patient coordinates (LPS, millimetres). Voxel {@code (i, j,
 * k)} has its centre at {@code origin + i*sx*row + j*sy*column + k*sz*slice}: {@code row} is the
 * direction along a row (increasing column index), {@code column} the direction down a column,
 * {@code slice} the direction from one slice to the next. The three directions are orthonormal;
 * spacings come from Image Position (Patient), never from Slice Thickness.
 */
public record VolumeGeometry(
    int nx,
    int ny,
    int nz,
    double sx,
    double sy,
    double sz,
    Vector3D origin,
    Vector3D.Unit row,
    Vector3D.Unit column,
    Vector3D.Unit slice) {

  private static final Precision.DoubleEquivalence ORTHOGONAL =
      Precision.doubleEquivalenceOfEpsilon(1e-4);

  public VolumeGeometry {
    if (nx < 1 || ny < 1 || nz < 1) {
      throw ModelException.invalid("volume-dimensions", nx + "x" + ny + "x" + nz);
    }
    if (!(sx > 0 && sy > 0 && sz > 0) || !Double.isFinite(sx + sy + sz)) {
      throw ModelException.invalid("volume-spacing", sx + "x" + sy + "x" + sz);
    }
    if (!ORTHOGONAL.eqZero(row.dot(column))
        || !ORTHOGONAL.eqZero(row.dot(slice))
        || !ORTHOGONAL.eqZero(column.dot(slice))) {
      throw ModelException.invalid("volume-directions", row + " " + column + " " + slice);
    }
  }

  /** Number of voxels. */
  public long voxelCount() {
    return (long) nx * ny * nz;
  }

  /** Maps voxel indices (i, j, k) to patient coordinates in millimetres. */
  public AffineTransformMatrix3D indexToPatient() {
    return AffineTransformMatrix3D.of(
        row.getX() * sx,
        column.getX() * sy,
        slice.getX() * sz,
        origin.getX(),
        row.getY() * sx,
        column.getY() * sy,
        slice.getY() * sz,
        origin.getY(),
        row.getZ() * sx,
        column.getZ() * sy,
        slice.getZ() * sz,
        origin.getZ());
  }

  /**
   * Maps millimetre offsets along the grid axes ({@code i*sx, j*sy, k*sz}) to patient coordinates:
   * the rotation and translation part of {@link #indexToPatient()}.
   */
  public AffineTransformMatrix3D gridToPatient() {
    return AffineTransformMatrix3D.of(
        row.getX(),
        column.getX(),
        slice.getX(),
        origin.getX(),
        row.getY(),
        column.getY(),
        slice.getY(),
        origin.getY(),
        row.getZ(),
        column.getZ(),
        slice.getZ(),
        origin.getZ());
  }

  /** Patient-coordinate corners of the voxel-centre box, min then max on each axis. */
  public double[] patientBounds() {
    AffineTransformMatrix3D m = indexToPatient();
    double[] b = {
      Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE,
      -Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE
    };
    for (int c = 0; c < 8; c++) {
      Vector3D p =
          m.apply(
              Vector3D.of(
                  (c & 1) * (nx - 1), ((c >> 1) & 1) * (ny - 1), ((c >> 2) & 1) * (nz - 1)));
      b[0] = Math.min(b[0], p.getX());
      b[1] = Math.min(b[1], p.getY());
      b[2] = Math.min(b[2], p.getZ());
      b[3] = Math.max(b[3], p.getX());
      b[4] = Math.max(b[4], p.getY());
      b[5] = Math.max(b[5], p.getZ());
    }
    return b;
  }
}

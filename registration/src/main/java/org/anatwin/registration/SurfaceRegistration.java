package org.anatwin.registration;

import org.apache.commons.geometry.euclidean.threed.AffineTransformMatrix3D;
import org.apache.commons.geometry.euclidean.threed.Vector3D;

/**
 * The rigid transform that maps a moving surface onto a fixed one ({@code fixed ≈
 * transform(moving)}), how well it fits and whether a person must look at it: {@code rmsMm} is the
 * root-mean-square point-to-plane residual over the pairs kept, {@code overlap} the fraction of
 * moving samples paired, {@code iterations} the ICP steps taken over all levels, {@code converged}
 * whether the last level stopped by itself. {@code needsReview} is set when the overlap or the
 * residual is beyond the thresholds the registration was run with: such a result is never accepted
 * silently.
 */
public record SurfaceRegistration(
    AffineTransformMatrix3D transform,
    double rmsMm,
    double overlap,
    int iterations,
    boolean converged,
    int pairs,
    String initialisation,
    boolean needsReview) {

  /** Maps a moving point into the fixed frame. */
  public Vector3D apply(Vector3D moving) {
    return transform.apply(moving);
  }

  /** The rotation angle of the transform, in degrees. */
  public double rotationDegrees() {
    double[] m = transform.toArray();
    double trace = m[0] + m[5] + m[10];
    return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, (trace - 1) / 2))));
  }
}

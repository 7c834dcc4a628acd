package org.anatwin.registration;

import org.apache.commons.geometry.euclidean.threed.AffineTransformMatrix3D;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.apache.commons.geometry.euclidean.threed.rotation.QuaternionRotation;

/**
 * A rigid transform that maps moving points onto fixed points ({@code fixed ≈ rotation(moving) +
 * translation}), with the root-mean-square residual over the pairs it was computed from, in mm.
 */
public record RigidRegistration(
    QuaternionRotation rotation, Vector3D translation, double rmsResidual, int pairs) {
  /** The transform as a matrix. */
  public AffineTransformMatrix3D transform() {
    return AffineTransformMatrix3D.createTranslation(translation).multiply(rotation.toMatrix());
  }

  /** Maps a moving point into the fixed frame. */
  public Vector3D apply(Vector3D moving) {
    return rotation.apply(moving).add(translation);
  }
}

package org.anatwin.versioning;

/**
 * How a structure of a version was registered onto the same structure of its parent: the rigid
 * transform (3x4, row-major, mapping the new mesh into the parent's frame), its residual and
 * overlap, whether a person must review it before it counts, and who accepted it and why when
 * someone has; {@code dicomSha256} is the stored DICOM Spatial Registration object's hash once the
 * registration counts (null while it waits for review).
 */
public record RegistrationInfo(
    String id,
    String structure,
    String fixedMesh,
    String movingMesh,
    double[] matrix,
    double rmsMm,
    double overlap,
    int iterations,
    boolean converged,
    boolean needsReview,
    String initialisation,
    @org.jspecify.annotations.Nullable String reviewedBy,
    @org.jspecify.annotations.Nullable String reviewReason,
    @org.jspecify.annotations.Nullable String dicomSha256) {

  /** The rotation angle of the transform, in degrees. */
  public double rotationDegrees() {
    double trace = matrix[0] + matrix[5] + matrix[10];
    return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, (trace - 1) / 2))));
  }
}

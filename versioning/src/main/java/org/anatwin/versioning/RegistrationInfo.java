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

  /**
   * The hash a registration's transform is recorded and re-derived under: SHA-256 of its 12 values
   * as Java writes doubles, comma-separated (so a re-run must give the same bits to match).
   */
  public static String transformSha256(double[] matrix) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      text.append(i == 0 ? "" : ",").append(Double.toString(matrix[i]));
    }
    return org.anatwin.model.ContentHash.of(
            text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .hex();
  }

  /** The rotation angle of the transform, in degrees. */
  public double rotationDegrees() {
    double trace = matrix[0] + matrix[5] + matrix[10];
    return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, (trace - 1) / 2))));
  }

  /** A new, not yet reviewed registration of a structure from a surface registration's result. */
  public static RegistrationInfo of(
      String id,
      String structure,
      String fixedMesh,
      String movingMesh,
      org.anatwin.registration.SurfaceRegistration r) {
    return new RegistrationInfo(
        id,
        structure,
        fixedMesh,
        movingMesh,
        java.util.Arrays.copyOf(r.transform().toArray(), 12),
        r.rmsMm(),
        r.overlap(),
        r.iterations(),
        r.converged(),
        r.needsReview(),
        r.initialisation(),
        null,
        null,
        null);
  }
}

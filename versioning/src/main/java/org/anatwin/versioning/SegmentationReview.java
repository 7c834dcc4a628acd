package org.anatwin.versioning;

import java.time.Instant;

/**
 * A radiologist's signed decision on a version's segmentation: approved or rejected, the
 * signature's meaning and reason, who (user name and role) and when. Until one is recorded the
 * segmentation is proposed; only meshes of an approved segmentation are prepared for printing.
 */
public record SegmentationReview(
    String id,
    String versionId,
    boolean approved,
    String meaning,
    String reason,
    String by,
    String role,
    Instant time) {

  /** PROPOSED (no review), APPROVED or REJECTED. */
  public static String state(@org.jspecify.annotations.Nullable SegmentationReview review) {
    return review == null ? "PROPOSED" : review.approved() ? "APPROVED" : "REJECTED";
  }
}

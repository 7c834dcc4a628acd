package org.anatwin.versioning;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A landmark or note a person put on a twin version: a landmark has a label unique within the
 * version and a position in patient coordinates (LPS, mm); landmarks with the same label on two
 * versions are pairs for a paired-point registration. A note has text and may have a position.
 */
public record Annotation(
    String id,
    String versionId,
    Kind kind,
    String label,
    double @Nullable [] position,
    @Nullable String structure,
    @Nullable String text,
    String author,
    Instant createdAt) {

  /** What an annotation is. */
  public enum Kind {
    LANDMARK,
    NOTE
  }
}

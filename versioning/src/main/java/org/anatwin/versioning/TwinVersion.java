package org.anatwin.versioning;

import java.time.Instant;
import java.util.List;
import org.anatwin.model.TwinId;
import org.anatwin.model.TwinVersionId;
import org.jspecify.annotations.Nullable;

/**
 * An immutable version of a twin: its number on its branch, parent, source series and structures.
 */
public record TwinVersion(
    TwinVersionId id,
    TwinId twin,
    int number,
    @Nullable TwinVersionId parent,
    String branch,
    String sourceSeries,
    String author,
    Instant createdAt,
    List<Structure> structures) {

  public TwinVersion {
    structures = List.copyOf(structures);
  }

  /** A named structure of a version and its mesh. */
  public record Structure(String name, MeshInfo mesh) {}
}

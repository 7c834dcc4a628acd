package org.anatwin.versioning;

import java.time.Instant;
import java.util.List;
import org.anatwin.model.TwinId;
import org.anatwin.model.TwinVersionId;
import org.jspecify.annotations.Nullable;

/**
 * An immutable version of a twin: its number on its branch, parent, source series and structures,
 * and how its structures were registered onto the parent's: {@code registration} is {@code NONE}
 * (first version), {@code ACCEPTED} or {@code NEEDS_REVIEW} (a registration a person must look at).
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
    List<Structure> structures,
    String registration,
    List<RegistrationInfo> registrations) {

  public TwinVersion {
    structures = List.copyOf(structures);
    registrations = List.copyOf(registrations);
  }

  /** A named structure of a version and its mesh. */
  public record Structure(String name, MeshInfo mesh) {}
}

package org.anatwin.versioning;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** Pages of a twin's versions in number order. */
public final class VersionPages {
  private VersionPages() {}

  /** Which page of which twin's versions: optionally of one branch, after a version number. */
  public record Key(
      String twinId, @Nullable String branch, int limit, @Nullable Integer afterNumber) {}

  /**
   * A page: how many versions the twin (or branch) has, these versions with their numbers, and if
   * more follow.
   */
  public record Page(int total, List<TwinVersion> versions, List<Integer> numbers, boolean more) {}

  /** A twin with its patient's node and one page of its versions, read together. */
  public record TwinWithPage(TwinWithPatient twin, Page page) {}
}

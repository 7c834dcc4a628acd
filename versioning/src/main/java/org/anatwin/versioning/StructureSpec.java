package org.anatwin.versioning;

import java.util.regex.Pattern;

/** What to segment for one structure of a version: its name and HU window (inclusive). */
public record StructureSpec(String name, int minimumHu, int maximumHu) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");

  public StructureSpec {
    if (!NAME.matcher(name).matches()) {
      throw new VersioningException(
          "versioning:structure.invalid-name",
          "structure names are lower-case words with dashes, e.g. 'bone' or 'skull': '"
              + name
              + "'");
    }
    if (minimumHu > maximumHu) {
      throw new VersioningException(
          "versioning:structure.empty-window",
          "HU window [" + minimumHu + ", " + maximumHu + "] of '" + name + "' is empty");
    }
  }

  /** The bone preset: HU >= 300. */
  public static StructureSpec bone() {
    return new StructureSpec("bone", 300, Short.MAX_VALUE);
  }
}

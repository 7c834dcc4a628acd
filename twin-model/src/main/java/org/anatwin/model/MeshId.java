package org.anatwin.model;

import java.util.regex.Pattern;

/** Identifier of a mesh: {@code mesh-} followed by 32 lower-case hex digits. */
public record MeshId(String value) {
  private static final Pattern FORM = Pattern.compile("mesh-[0-9a-f]{32}");

  public MeshId {
    if (!FORM.matcher(value).matches()) {
      throw ModelException.invalid("mesh-id", value);
    }
  }

  /** Parses an id as written in the graph or the API. */
  public static MeshId parse(String value) {
    return new MeshId(value);
  }

  /** A deterministic id derived from the given parts (see {@link DerivedIds}). */
  public static MeshId createDerived(Object... parts) {
    return new MeshId(DerivedIds.createId("mesh", parts));
  }

  @Override
  public String toString() {
    return value;
  }
}

package org.anatwin.model;

import java.util.regex.Pattern;

/** Identifier of a twin version: {@code twin-version-} followed by 32 lower-case hex digits. */
public record TwinVersionId(String value) {
  private static final Pattern FORM = Pattern.compile("twin-version-[0-9a-f]{32}");

  public TwinVersionId {
    if (!FORM.matcher(value).matches()) {
      throw ModelException.invalid("twin-version-id", value);
    }
  }

  /** Parses an id as written in the graph or the API. */
  public static TwinVersionId parse(String value) {
    return new TwinVersionId(value);
  }

  /** A deterministic id derived from the given parts (see {@link DerivedIds}). */
  public static TwinVersionId createDerived(Object... parts) {
    return new TwinVersionId(DerivedIds.createId("twin-version", parts));
  }

  @Override
  public String toString() {
    return value;
  }
}

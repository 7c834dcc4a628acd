package org.anatwin.model;

import java.util.regex.Pattern;

/** Identifier of a twin: {@code twin-} followed by 32 lower-case hex digits. */
public record TwinId(String value) {
  private static final Pattern FORM = Pattern.compile("twin-[0-9a-f]{32}");

  public TwinId {
    if (!FORM.matcher(value).matches()) {
      throw ModelException.invalid("twin-id", value);
    }
  }

  /** Parses an id as written in the graph or the API. */
  public static TwinId parse(String value) {
    return new TwinId(value);
  }

  /** A deterministic id derived from the given parts (see {@link DerivedIds}). */
  public static TwinId createDerived(Object... parts) {
    return new TwinId(DerivedIds.createId("twin", parts));
  }

  @Override
  public String toString() {
    return value;
  }
}

package org.anatwin.model;

import java.util.regex.Pattern;

/** Identifier of a activity: {@code activity-} followed by 32 lower-case hex digits. */
public record ActivityId(String value) {
  private static final Pattern FORM = Pattern.compile("activity-[0-9a-f]{32}");

  public ActivityId {
    if (!FORM.matcher(value).matches()) {
      throw ModelException.invalid("activity-id", value);
    }
  }

  /** Parses an id as written in the graph or the API. */
  public static ActivityId parse(String value) {
    return new ActivityId(value);
  }

  /** A deterministic id derived from the given parts (see {@link DerivedIds}). */
  public static ActivityId createDerived(Object... parts) {
    return new ActivityId(DerivedIds.createId("activity", parts));
  }

  @Override
  public String toString() {
    return value;
  }
}

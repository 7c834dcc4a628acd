package org.anatwin.model;

import java.util.regex.Pattern;

/** Identifier of a print job: {@code print-job-} followed by 32 lower-case hex digits. */
public record PrintJobId(String value) {
  private static final Pattern FORM = Pattern.compile("print-job-[0-9a-f]{32}");

  public PrintJobId {
    if (!FORM.matcher(value).matches()) {
      throw ModelException.invalid("print-job-id", value);
    }
  }

  /** Parses an id as written in the graph or the API. */
  public static PrintJobId parse(String value) {
    return new PrintJobId(value);
  }

  /** A deterministic id derived from the given parts (see {@link DerivedIds}). */
  public static PrintJobId createDerived(Object... parts) {
    return new PrintJobId(DerivedIds.createId("print-job", parts));
  }

  @Override
  public String toString() {
    return value;
  }
}

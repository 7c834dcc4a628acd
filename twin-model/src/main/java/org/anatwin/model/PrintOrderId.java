package org.anatwin.model;

import java.util.regex.Pattern;

/** Identifier of a print order: {@code print-order-} followed by 32 lower-case hex digits. */
public record PrintOrderId(String value) {
  private static final Pattern FORM = Pattern.compile("print-order-[0-9a-f]{32}");

  public PrintOrderId {
    if (!FORM.matcher(value).matches()) {
      throw ModelException.invalid("print-order-id", value);
    }
  }

  /** Parses an id as written in the graph or the API. */
  public static PrintOrderId parse(String value) {
    return new PrintOrderId(value);
  }

  /** A deterministic id derived from the given parts (see {@link DerivedIds}). */
  public static PrintOrderId createDerived(Object... parts) {
    return new PrintOrderId(DerivedIds.createId("print-order", parts));
  }

  @Override
  public String toString() {
    return value;
  }
}

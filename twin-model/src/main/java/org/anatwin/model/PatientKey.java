package org.anatwin.model;

import java.util.regex.Pattern;

/** Identifier of a patient: {@code patient-} followed by 32 lower-case hex digits. */
public record PatientKey(String value) {
  private static final Pattern FORM = Pattern.compile("patient-[0-9a-f]{32}");

  public PatientKey {
    if (!FORM.matcher(value).matches()) {
      throw ModelException.invalid("patient-id", value);
    }
  }

  /** Parses an id as written in the graph or the API. */
  public static PatientKey parse(String value) {
    return new PatientKey(value);
  }

  /** A deterministic id derived from the given parts (see {@link DerivedIds}). */
  public static PatientKey createDerived(Object... parts) {
    return new PatientKey(DerivedIds.createId("patient", parts));
  }

  @Override
  public String toString() {
    return value;
  }
}

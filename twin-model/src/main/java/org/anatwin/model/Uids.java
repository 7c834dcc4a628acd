package org.anatwin.model;

import java.util.regex.Pattern;

/** Checks DICOM unique identifiers (PS3.5 9.1): digits and dots, at most 64 characters. */
final class Uids {
  private static final Pattern UID = Pattern.compile("(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))+");

  private Uids() {}

  static String check(String kind, String value) {
    if (value.length() > 64 || !UID.matcher(value).matches()) {
      throw ModelException.invalid(kind, value);
    }
    return value;
  }
}

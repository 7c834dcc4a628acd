package org.anatwin.model;

/** A DICOM series instance uid, checked against the UID grammar of PS3.5. */
public record SeriesInstanceUid(String value) {
  public SeriesInstanceUid {
    Uids.check("series-instance-uid", value);
  }

  public static SeriesInstanceUid of(String value) {
    return new SeriesInstanceUid(value);
  }

  @Override
  public String toString() {
    return value;
  }
}

package org.anatwin.model;

/** A DICOM study instance uid, checked against the UID grammar of PS3.5. */
public record StudyInstanceUid(String value) {
  public StudyInstanceUid {
    Uids.check("study-instance-uid", value);
  }

  public static StudyInstanceUid of(String value) {
    return new StudyInstanceUid(value);
  }

  @Override
  public String toString() {
    return value;
  }
}

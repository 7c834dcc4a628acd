package org.anatwin.model;

/** A DICOM sop instance uid, checked against the UID grammar of PS3.5. */
public record SopInstanceUid(String value) {
  public SopInstanceUid {
    Uids.check("sop-instance-uid", value);
  }

  public static SopInstanceUid of(String value) {
    return new SopInstanceUid(value);
  }

  /** The id of the lineage entity of this instance. */
  public String entityId() {
    return "instance:" + value;
  }

  @Override
  public String toString() {
    return value;
  }
}

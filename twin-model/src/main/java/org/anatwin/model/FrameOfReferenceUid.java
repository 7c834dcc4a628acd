package org.anatwin.model;

/** A DICOM frame of reference uid, checked against the UID grammar of PS3.5. */
public record FrameOfReferenceUid(String value) {
  public FrameOfReferenceUid {
    Uids.check("frame-of-reference-uid", value);
  }

  public static FrameOfReferenceUid of(String value) {
    return new FrameOfReferenceUid(value);
  }

  @Override
  public String toString() {
    return value;
  }
}

package org.anatwin.model;

/**
 * Port through which ingest hands a stored series, assembled as a {@link Volume}, to whoever builds
 * twin versions.
 */
public interface VolumeSource {
  /** Assembles the series, or throws a coded exception when it cannot be assembled faithfully. */
  Volume volumeOf(SeriesInstanceUid series);

  /** The patient the series belongs to; throws a coded exception for an unknown series. */
  PatientKey patientOf(SeriesInstanceUid series);

  /**
   * A stored instance's file (read back from its blob and checked against its hash), its SOP class
   * and its series; throws a coded exception for an instance that is not stored.
   */
  StoredObject instance(SopInstanceUid uid);

  /** A stored DICOM object as {@link #instance} returns it. */
  record StoredObject(
      SopInstanceUid uid,
      String sopClassUid,
      SeriesInstanceUid series,
      ContentHash datasetHash,
      byte[] bytes) {}
}

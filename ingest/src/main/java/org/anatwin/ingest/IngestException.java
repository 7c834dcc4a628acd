package org.anatwin.ingest;

import org.anatwin.model.AnatwinException;

/**
 * Refusals of DICOM input, with stable {@code ingest:} codes: {@code ingest:file.not-dicom}, {@code
 * ingest:file.too-large}, {@code ingest:instance.missing-attribute}, {@code
 * ingest:instance.conflict}, {@code ingest:series.*} for series that cannot be assembled
 * faithfully.
 */
public final class IngestException extends AnatwinException {
  public IngestException(String code, String message) {
    super(code, message);
  }

  public IngestException(String code, String message, Throwable cause) {
    super(code, message, cause);
  }
}

package org.anatwin.model;

/** Port through which ingest hands a stored series, assembled as a {@link Volume}, to whoever needs it. */
@FunctionalInterface
public interface VolumeSource {
  /** Assembles the series, or throws a coded exception when it cannot be assembled faithfully. */
  Volume volumeOf(SeriesInstanceUid series);
}

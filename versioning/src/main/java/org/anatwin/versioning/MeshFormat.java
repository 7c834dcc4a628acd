package org.anatwin.versioning;

import java.util.Locale;
import java.util.Optional;

/** The file formats a stored mesh can be downloaded in, with their extension and media type. */
public enum MeshFormat {
  STL("stl", "model/stl"),
  OBJ("obj", "model/obj"),
  PLY("ply", "application/ply"),
  THREE_MF("3mf", "model/3mf"),
  /** DICOM Encapsulated STL: carries the patient and study, so not for de-identified roles. */
  DICOM_STL("dcm", "application/dicom");

  private final String extension;
  private final String mediaType;

  MeshFormat(String extension, String mediaType) {
    this.extension = extension;
    this.mediaType = mediaType;
  }

  public String extension() {
    return extension;
  }

  public String mediaType() {
    return mediaType;
  }

  /** Whether the file names the patient (DICOM objects do; the plain mesh formats never). */
  public boolean carriesPatientData() {
    return this == DICOM_STL;
  }

  /** The format with this file extension, if any. */
  public static Optional<MeshFormat> fromExtension(String extension) {
    String e = extension.toLowerCase(Locale.ROOT);
    for (MeshFormat f : values()) {
      if (f.extension.equals(e)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}

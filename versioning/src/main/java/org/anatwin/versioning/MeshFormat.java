package org.anatwin.versioning;

import java.util.Locale;
import java.util.Optional;

/** The file formats a stored mesh can be downloaded in, with their extension and media type. */
public enum MeshFormat {
  STL("stl", "model/stl"),
  /** ASCII STL, for tools that read no binary STL: the same floats as {@link #STL}. */
  STL_ASCII("ascii.stl", "model/stl"),
  OBJ("obj", "model/obj"),
  PLY("ply", "application/ply"),
  THREE_MF("3mf", "model/3mf"),
  /** DICOM Encapsulated STL: carries the patient and study, so not for de-identified roles. */
  DICOM_STL("dcm", "application/dicom"),
  /** DICOM Encapsulated OBJ: carries the patient and study, so not for de-identified roles. */
  DICOM_OBJ("obj.dcm", "application/dicom");

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
    return this == DICOM_STL || this == DICOM_OBJ;
  }

  /**
   * The format a file name ends in, the longest extension first ({@code x.obj.dcm} is {@link
   * #DICOM_OBJ}, not {@link #DICOM_STL}), with the name before it; empty when none matches.
   */
  public static Optional<java.util.Map.Entry<String, MeshFormat>> split(String fileName) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    MeshFormat best = null;
    for (MeshFormat f : values()) {
      if (lower.endsWith("." + f.extension)
          && (best == null || f.extension.length() > best.extension.length())) {
        best = f;
      }
    }
    if (best == null || fileName.length() == best.extension.length() + 1) {
      return Optional.empty();
    }
    return Optional.of(
        java.util.Map.entry(
            fileName.substring(0, fileName.length() - best.extension.length() - 1), best));
  }
}

package org.anatwin.ingest.internal;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.anatwin.ingest.IngestException;
import org.anatwin.model.ContentHash;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.SopInstanceUid;
import org.anatwin.model.StudyInstanceUid;

/**
 * The attributes of one DICOM instance that ingest indexes, read with PixelMed, plus the hashes of
 * the file and of its dataset. Pixel data is not kept here: volumes read it from the blob.
 */
public record DicomInstance(
    SopInstanceUid sopInstanceUid,
    String sopClassUid,
    StudyInstanceUid studyInstanceUid,
    SeriesInstanceUid seriesInstanceUid,
    String frameOfReferenceUid,
    String patientId,
    String issuerOfPatientId,
    String patientName,
    String patientBirthDate,
    String patientSex,
    String studyDate,
    String studyDescription,
    String accessionNumber,
    String modality,
    String bodyPartExamined,
    String seriesDescription,
    int seriesNumber,
    int instanceNumber,
    ContentHash fileHash,
    ContentHash datasetHash,
    long size) {

  /** Parses the bytes of a DICOM file (Part 10, or a bare dataset). Pixel data is skipped. */
  public static DicomInstance parse(byte[] bytes) {
    return parse(bytes, DicomStructure.Limits.defaults());
  }

  /** Parses within the given structural limits; anything over one is refused with its code. */
  public static DicomInstance parse(byte[] bytes, DicomStructure.Limits limits) {
    if (!looksLikeDicom(bytes)) {
      throw new IngestException(
          "ingest:file.not-dicom",
          "not a DICOM file: no 'DICM' prefix after the 128-byte preamble and no dataset starting at group 0002 or 0008");
    }
    byte[] inflated = DicomStructure.check(bytes, limits);
    AttributeList list = read(bytes, TagFromName.PixelData);
    String sop = required(list, TagFromName.SOPInstanceUID, "SOP Instance UID");
    String study = required(list, TagFromName.StudyInstanceUID, "Study Instance UID");
    String series = required(list, TagFromName.SeriesInstanceUID, "Series Instance UID");
    String sopClass = required(list, TagFromName.SOPClassUID, "SOP Class UID");
    try {
      return new DicomInstance(
          SopInstanceUid.of(sop),
          sopClass,
          StudyInstanceUid.of(study),
          SeriesInstanceUid.of(series),
          text(list, TagFromName.FrameOfReferenceUID),
          text(list, TagFromName.PatientID),
          text(list, TagFromName.IssuerOfPatientID),
          text(list, TagFromName.PatientName),
          text(list, TagFromName.PatientBirthDate),
          text(list, TagFromName.PatientSex),
          text(list, TagFromName.StudyDate),
          text(list, TagFromName.StudyDescription),
          text(list, TagFromName.AccessionNumber),
          text(list, TagFromName.Modality),
          text(list, TagFromName.BodyPartExamined),
          text(list, TagFromName.SeriesDescription),
          Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SeriesNumber, 0),
          Attribute.getSingleIntegerValueOrDefault(list, TagFromName.InstanceNumber, 0),
          ContentHash.of(bytes),
          inflated != null ? ContentHash.of(inflated) : datasetHash(bytes),
          bytes.length);
    } catch (RuntimeException e) {
      throw new IngestException(
          "ingest:instance.invalid-uid",
          "a UID of the instance is malformed: " + e.getMessage(),
          e);
    }
  }

  /**
   * A Part 10 file has "DICM" at offset 128; a bare dataset (written by some older tools) starts
   * with an element of group 0002 or 0008, little endian.
   */
  static boolean looksLikeDicom(byte[] bytes) {
    if (bytes.length >= 132
        && bytes[128] == 'D'
        && bytes[129] == 'I'
        && bytes[130] == 'C'
        && bytes[131] == 'M') {
      return true;
    }
    return bytes.length >= 8 && (u16(bytes, 0) == 0x0002 || u16(bytes, 0) == 0x0008);
  }

  /** Reads the attribute list, stopping before {@code stopAt} (or reading all when it is null). */
  public static AttributeList read(byte[] bytes, AttributeTag stopAt) {
    return read(bytes, stopAt, true);
  }

  /**
   * Reads the attribute list; with {@code decompress} false, encapsulated pixel data stays as its
   * compressed frames.
   */
  static AttributeList read(byte[] bytes, AttributeTag stopAt, boolean decompress) {
    AttributeList list = new AttributeList();
    list.setDecompressPixelData(decompress);
    try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(bytes))) {
      if (stopAt != null) {
        list.read(in, stopAt);
      } else {
        list.read(in);
      }
    } catch (IOException | DicomException | RuntimeException e) {
      throw new IngestException(
          "ingest:file.not-dicom", "not a readable DICOM file: " + e.getMessage(), e);
    }
    return list;
  }

  private static String required(AttributeList list, AttributeTag tag, String name) {
    String value = text(list, tag);
    if (value.isEmpty()) {
      throw new IngestException("ingest:instance.missing-attribute", "the instance has no " + name);
    }
    return value;
  }

  static String text(AttributeList list, AttributeTag tag) {
    return Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
  }

  /**
   * Hash of the dataset without the Part 10 preamble and file meta group, so that two copies whose
   * meta header was rewritten by a network hop hash alike. The meta group is always explicit VR
   * little endian (PS3.10 7.1).
   */
  public static ContentHash datasetHash(byte[] bytes) {
    int offset = 0;
    if (bytes.length >= 132
        && bytes[128] == 'D'
        && bytes[129] == 'I'
        && bytes[130] == 'C'
        && bytes[131] == 'M') {
      offset = 132;
      while (offset + 8 <= bytes.length && u16(bytes, offset) == 0x0002) {
        String vr = new String(bytes, offset + 4, 2, java.nio.charset.StandardCharsets.US_ASCII);
        long length;
        int header;
        if (vr.equals("OB")
            || vr.equals("OW")
            || vr.equals("UN")
            || vr.equals("SQ")
            || vr.equals("UT")
            || vr.equals("UC")
            || vr.equals("UR")) {
          if (offset + 12 > bytes.length) {
            break;
          }
          length = u32(bytes, offset + 8);
          header = 12;
        } else {
          length = u16(bytes, offset + 6);
          header = 8;
        }
        if (offset + header + length > bytes.length) {
          throw new IngestException(
              "ingest:file.truncated", "the file meta information runs past the end of the file");
        }
        offset += header + (int) length;
      }
    }
    return ContentHash.of(bytes, offset, bytes.length - offset);
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
  }

  private static long u32(byte[] b, int at) {
    return (b[at] & 0xffL)
        | (b[at + 1] & 0xffL) << 8
        | (b[at + 2] & 0xffL) << 16
        | (b[at + 3] & 0xffL) << 24;
  }
}

package org.anatwin.ingest.internal;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.util.Locale;
import org.anatwin.model.ContentHash;
import org.anatwin.model.SopInstanceUid;
import org.anatwin.model.SourceInstance;

/** Builds small CT slices as DICOM Part 10 bytes in memory, for tests. */
final class Slices {
  private Slices() {}

  static byte[] slice(int k, double x, double y, double z, String sourceAe) {
    return slice(k, x, y, z, sourceAe, false);
  }

  /** A coronal scout image (Image Type ORIGINAL\\PRIMARY\\LOCALIZER) of the same series. */
  static byte[] localizer(int k) {
    return slice(k, 0, 0, 0, "TEST", true);
  }

  private static byte[] slice(
      int k, double x, double y, double z, String sourceAe, boolean localizer) {
    try {
      AttributeList list = new AttributeList();
      put(list, TagFromName.SOPClassUID, SOPClass.CTImageStorage);
      put(list, TagFromName.SOPInstanceUID, "1.2.826.0.1.3680043.10.1." + (k + 1));
      put(list, TagFromName.StudyInstanceUID, "1.2.826.0.1.3680043.10.2");
      put(list, TagFromName.SeriesInstanceUID, "1.2.826.0.1.3680043.10.3");
      put(list, TagFromName.FrameOfReferenceUID, "1.2.826.0.1.3680043.10.4");
      put(list, TagFromName.PatientID, "P1");
      put(list, TagFromName.Modality, "CT");
      put(list, TagFromName.ImagePositionPatient, d(x), d(y), d(z));
      if (localizer) {
        put(list, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "LOCALIZER");
        put(list, TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "0", "-1");
      } else {
        put(list, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
        put(list, TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "1", "0");
      }
      put(list, TagFromName.PixelSpacing, "0.5", "0.25");
      put(list, TagFromName.SliceThickness, "5");
      put(list, TagFromName.Rows, "3");
      put(list, TagFromName.Columns, "4");
      put(list, TagFromName.SamplesPerPixel, "1");
      put(list, TagFromName.PhotometricInterpretation, "MONOCHROME2");
      put(list, TagFromName.BitsAllocated, "16");
      put(list, TagFromName.BitsStored, "16");
      put(list, TagFromName.HighBit, "15");
      put(list, TagFromName.PixelRepresentation, "0");
      put(list, TagFromName.RescaleIntercept, "-1024");
      put(list, TagFromName.RescaleSlope, "1");
      short[] pixels = new short[12];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (short) (1024 + 100 * k + i);
      }
      OtherWordAttribute data = new OtherWordAttribute(TagFromName.PixelData);
      data.setValues(pixels);
      list.put(data);
      FileMetaInformation.addFileMetaInformation(
          list, TransferSyntax.ExplicitVRLittleEndian, sourceAe);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
      return out.toByteArray();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static SeriesAssembler.Slice of(byte[] bytes) {
    DicomInstance d = DicomInstance.parse(bytes);
    return new SeriesAssembler.Slice(
        new SourceInstance(SopInstanceUid.of(d.sopInstanceUid().value()), d.datasetHash()), bytes);
  }

  static ContentHash hash(byte[] bytes) {
    return ContentHash.of(bytes);
  }

  private static String d(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static void put(AttributeList list, AttributeTag tag, String... values) throws Exception {
    var a = list.putNewAttribute(tag);
    for (String v : values) {
      a.addValue(v);
    }
  }
}

package org.anatwin.ingest.internal;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The project's own synthetic CT phantom, written as real DICOM CT Image Storage files: a
 * skull-like ellipsoidal shell (outer semi-axes 80 x 95 x 85 mm, wall 7 mm, cut by the bottom of
 * the scan) and, in a second series, a femur-like hollow cylinder in a soft-tissue cylinder: outer
 * radius 14 mm, 100 mm long, with a closed marrow cavity of radius 8 mm and length 80 mm (10 mm of
 * bone at each end), so its bone volume is π(14² · 100 − 8² · 80) mm³. UIDs are derived from fixed
 * names, so writing the phantom twice gives the same instances. Stored values are HU + 1024 with
 * Rescale Intercept -1024, as scanners write them.
 */
public final class SyntheticPhantom {
  public static final double SKULL_A = 80;
  public static final double SKULL_B = 95;
  public static final double SKULL_C = 85;
  public static final double SKULL_WALL = 7;
  public static final double FEMUR_OUTER = 14;
  public static final double FEMUR_INNER = 8;
  public static final double FEMUR_LENGTH = 100;
  public static final double FEMUR_CAVITY_LENGTH = 80;
  private static final short BONE = 1200;
  private static final short SOFT = 40;
  private static final short AIR = -1000;

  private SyntheticPhantom() {}

  /** Writes both series under {@code dir} and returns the files written. */
  public static List<Path> write(Path dir) {
    return write(dir, 1);
  }

  /**
   * Writes both series of phantom patient {@code patient} (1 is the demo patient; others have their
   * own patient id, name and UIDs) under {@code dir}.
   */
  public static List<Path> write(Path dir, int patient) {
    List<Path> files = new ArrayList<>();
    files.addAll(
        writeSeries(
            patient,
            dir.resolve("skull"),
            "skull",
            2,
            224,
            224,
            1.0,
            113,
            1.25,
            -112,
            -112,
            -40,
            SyntheticPhantom::skull));
    files.addAll(
        writeSeries(
            patient,
            dir.resolve("femur"),
            "femur",
            3,
            112,
            112,
            0.8,
            140,
            1.0,
            -44.8,
            -44.8,
            0,
            SyntheticPhantom::femur));
    return files;
  }

  /** A shape: HU at a point in patient coordinates (mm). */
  @FunctionalInterface
  public interface Shape {
    double hu(double x, double y, double z);
  }

  /**
   * The value on either side of a boundary at signed distance {@code d} (mm, negative inside). A
   * sharp edge, so that a threshold anywhere between the two values finds the boundary where the
   * shape's dimensions say it is.
   */
  private static double step(double inside, double outside, double d) {
    return d <= 0 ? inside : outside;
  }

  private static double ellipsoidDistance(
      double x, double y, double z, double a, double b, double c) {
    double f = Math.sqrt((x * x) / (a * a) + (y * y) / (b * b) + (z * z) / (c * c));
    double r = Math.sqrt(x * x + y * y + z * z);
    return f == 0 ? -Math.min(a, Math.min(b, c)) : r * (1 - 1 / f);
  }

  private static double skull(double x, double y, double z) {
    double outer = ellipsoidDistance(x, y, z, SKULL_A, SKULL_B, SKULL_C);
    double inner =
        ellipsoidDistance(
            x, y, z, SKULL_A - SKULL_WALL, SKULL_B - SKULL_WALL, SKULL_C - SKULL_WALL);
    double withBone = step(BONE, AIR, outer);
    return step(SOFT, withBone, inner);
  }

  private static double femur(double x, double y, double z) {
    double r = Math.hypot(x, y);
    double thigh = step(SOFT, AIR, r - 45);
    double axial = Math.abs(z - 70.5) - FEMUR_LENGTH / 2;
    double bone = step(BONE, thigh, Math.max(r - FEMUR_OUTER, axial));
    double cavity = Math.abs(z - 70.5) - FEMUR_CAVITY_LENGTH / 2;
    return step(SOFT, bone, Math.max(r - FEMUR_INNER, cavity));
  }

  /**
   * Writes one axial CT series of {@code slices} images of {@code columns x rows} pixels of {@code
   * pixel} mm, {@code step} mm apart, the first pixel of the first slice at (x0, y0, z0); UIDs are
   * derived from {@code name} (and, for any phantom patient but 1, the patient).
   */
  public static List<Path> writeSeries(
      int patient,
      Path dir,
      String name,
      int seriesNumber,
      int columns,
      int rows,
      double pixel,
      int slices,
      double step,
      double x0,
      double y0,
      double z0,
      Shape shape) {
    String seed = patient == 1 ? "" : "patient-" + patient + "/";
    try {
      Files.createDirectories(dir);
      List<Path> out = new ArrayList<>();
      String study = uid(seed + "study");
      String series = uid(seed + "series-" + name);
      String frame = uid(seed + "frame-" + name);
      for (int k = 0; k < slices; k++) {
        double z = z0 + k * step;
        short[] pixels = new short[rows * columns];
        for (int j = 0; j < rows; j++) {
          for (int i = 0; i < columns; i++) {
            double hu = shape.hu(x0 + i * pixel, y0 + j * pixel, z);
            pixels[i + j * columns] = (short) (Math.round(hu) + 1024);
          }
        }
        AttributeList list = new AttributeList();
        put(list, TagFromName.SOPClassUID, SOPClass.CTImageStorage);
        put(list, TagFromName.SOPInstanceUID, uid(seed + name + "-slice-" + k));
        put(list, TagFromName.StudyInstanceUID, study);
        put(list, TagFromName.SeriesInstanceUID, series);
        put(list, TagFromName.FrameOfReferenceUID, frame);
        put(
            list,
            TagFromName.PatientName,
            patient == 1 ? "Phantom^Anatwin" : "Phantom^Patient" + patient);
        put(list, TagFromName.PatientID, "ANATWIN-PHANTOM-" + patient);
        put(list, TagFromName.PatientBirthDate, "19700101");
        put(list, TagFromName.PatientSex, "O");
        put(list, TagFromName.StudyDate, "20260101");
        put(list, TagFromName.StudyTime, "120000");
        put(list, TagFromName.StudyID, "1");
        put(list, TagFromName.AccessionNumber, "ANATWIN-DEMO");
        put(list, TagFromName.StudyDescription, "Anatwin synthetic phantom");
        put(list, TagFromName.Modality, "CT");
        put(list, TagFromName.Manufacturer, "Anatwin");
        put(list, TagFromName.SeriesNumber, Integer.toString(seriesNumber));
        put(list, TagFromName.SeriesDescription, "Synthetic " + name + " phantom");
        put(list, TagFromName.InstanceNumber, Integer.toString(k + 1));
        put(list, TagFromName.ImagePositionPatient, ds(x0), ds(y0), ds(z));
        put(list, TagFromName.ImageOrientationPatient, "1", "0", "0", "0", "1", "0");
        put(list, TagFromName.SliceThickness, ds(step));
        put(list, TagFromName.PixelSpacing, ds(pixel), ds(pixel));
        put(list, TagFromName.SamplesPerPixel, "1");
        put(list, TagFromName.PhotometricInterpretation, "MONOCHROME2");
        put(list, TagFromName.Rows, Integer.toString(rows));
        put(list, TagFromName.Columns, Integer.toString(columns));
        put(list, TagFromName.BitsAllocated, "16");
        put(list, TagFromName.BitsStored, "16");
        put(list, TagFromName.HighBit, "15");
        put(list, TagFromName.PixelRepresentation, "0");
        put(list, TagFromName.RescaleIntercept, "-1024");
        put(list, TagFromName.RescaleSlope, "1");
        put(list, TagFromName.RescaleType, "HU");
        put(list, TagFromName.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
        OtherWordAttribute data = new OtherWordAttribute(TagFromName.PixelData);
        data.setValues(pixels);
        list.put(data);
        FileMetaInformation.addFileMetaInformation(
            list, TransferSyntax.ExplicitVRLittleEndian, "ANATWIN");
        Path file = dir.resolve(String.format(Locale.ROOT, "CT%04d.dcm", k + 1));
        list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
        out.add(file);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (DicomException e) {
      throw new IllegalStateException("cannot write phantom DICOM", e);
    }
  }

  private static String ds(double value) {
    String s =
        String.format(Locale.ROOT, "%.4f", value).replaceAll("0+$", "").replaceAll("\\.$", "");
    return s.equals("-0") ? "0" : s;
  }

  private static void put(AttributeList list, AttributeTag tag, String... values)
      throws DicomException {
    var attribute = list.putNewAttribute(tag);
    for (String v : values) {
      attribute.addValue(v);
    }
  }

  /** A UID under the 2.25 root (PS3.5 B.2) derived from a fixed name. */
  static String uid(String name) {
    UUID u =
        UUID.nameUUIDFromBytes(("anatwin-phantom-v1/" + name).getBytes(StandardCharsets.UTF_8));
    ByteBuffer b = ByteBuffer.allocate(17);
    b.put((byte) 0).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
    return "2.25." + new BigInteger(b.array());
  }
}

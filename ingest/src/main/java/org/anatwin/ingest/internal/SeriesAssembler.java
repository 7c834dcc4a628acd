package org.anatwin.ingest.internal;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.anatwin.ingest.IngestException;
import org.anatwin.model.FrameOfReferenceUid;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.SourceInstance;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeGeometry;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.apache.commons.numbers.core.Precision;

/**
 * Assembles single-frame slices of one series into a {@link Volume} in patient coordinates. Slices
 * are sorted by their position along the slice normal (row x column direction of Image Orientation
 * (Patient)); the spacing between them comes from Image Position (Patient). A series whose slices
 * disagree on orientation or size, whose positions are not on one line along the normal (gantry
 * tilt), or whose spacing is uneven is refused with a code, never silently distorted.
 */
public final class SeriesAssembler {
  public static final String ALGORITHM = "anatwin.series-to-volume";
  public static final String VERSION = "2";

  /** One stored slice: what lineage knows of it and its file bytes. */
  public record Slice(SourceInstance source, byte[] bytes) {}

  /** What to do with a sheared (gantry-tilted) series. */
  public enum TiltPolicy {
    /** shift each slice back onto an orthogonal grid and record it in the volume's parameters */
    RESAMPLE,
    /** refuse with {@code ingest:series.gantry-tilt} */
    REFUSE
  }

  private final TiltPolicy tilt;
  private final Precision.DoubleEquivalence direction;
  private final Precision.DoubleEquivalence millimetres;

  /**
   * @param direction tolerance on direction cosines (orientation equality, tilt)
   * @param millimetres tolerance on positions and spacing, in mm
   */
  public SeriesAssembler(
      TiltPolicy tilt,
      Precision.DoubleEquivalence direction,
      Precision.DoubleEquivalence millimetres) {
    this.tilt = tilt;
    this.direction = direction;
    this.millimetres = millimetres;
  }

  private record Parsed(SourceInstance source, Vector3D position, short[] hu, double along) {}

  public Volume assemble(SeriesInstanceUid series, List<Slice> slices) {
    if (slices.size() < 2) {
      throw new IngestException(
          "ingest:series.too-few-slices",
          "series " + series + " has " + slices.size() + " image(s); a volume needs at least 2");
    }
    AttributeList first = DicomInstance.read(slices.getFirst().bytes(), null);
    int rows = Attribute.getSingleIntegerValueOrDefault(first, TagFromName.Rows, 0);
    int columns = Attribute.getSingleIntegerValueOrDefault(first, TagFromName.Columns, 0);
    double[] iop = Attribute.getDoubleValues(first, TagFromName.ImageOrientationPatient);
    double[] pixelSpacing = Attribute.getDoubleValues(first, TagFromName.PixelSpacing);
    String frame = DicomInstance.text(first, TagFromName.FrameOfReferenceUID);
    if (iop == null
        || iop.length != 6
        || pixelSpacing == null
        || pixelSpacing.length != 2
        || rows < 1
        || columns < 1) {
      throw new IngestException(
          "ingest:series.missing-geometry",
          "series "
              + series
              + " lacks Image Orientation (Patient), Pixel Spacing, Rows or Columns");
    }
    if (frame.isEmpty()) {
      throw new IngestException(
          "ingest:series.missing-frame-of-reference",
          "series " + series + " has no Frame of Reference UID");
    }
    Vector3D.Unit row = Vector3D.of(iop[0], iop[1], iop[2]).normalize();
    Vector3D.Unit column = Vector3D.of(iop[3], iop[4], iop[5]).normalize();
    Vector3D.Unit normal = row.cross(column).normalize();

    List<Parsed> parsed = new ArrayList<>(slices.size());
    for (Slice slice : slices) {
      AttributeList list =
          slice == slices.getFirst() ? first : DicomInstance.read(slice.bytes(), null);
      parsed.add(parse(series, list, slice.source(), rows, columns, iop, pixelSpacing, normal));
    }
    parsed.sort(Comparator.comparingDouble(Parsed::along));

    Vector3D origin = parsed.getFirst().position();
    double step = Double.MAX_VALUE;
    for (int k = 1; k < parsed.size(); k++) {
      double gap = parsed.get(k).along() - parsed.get(k - 1).along();
      if (millimetres.eqZero(gap)) {
        throw new IngestException(
            "ingest:series.duplicate-position",
            "series "
                + series
                + " has two slices at the same position "
                + parsed.get(k).position());
      }
      step = Math.min(step, gap);
    }
    for (int k = 1; k < parsed.size(); k++) {
      double gap = parsed.get(k).along() - parsed.get(k - 1).along();
      if (!millimetres.eq(gap, step)) {
        long multiple = Math.round(gap / step);
        if (multiple >= 2 && millimetres.eq(gap, multiple * step)) {
          throw new IngestException(
              "ingest:series.missing-slice",
              String.format(
                  Locale.ROOT,
                  "series %s lacks %d slice(s) between %.2f mm and %.2f mm along the slice normal (spacing %.3f mm); send the missing images or the whole series again",
                  series,
                  multiple - 1,
                  parsed.get(k - 1).along(),
                  parsed.get(k).along(),
                  step));
        }
        throw new IngestException(
            "ingest:series.uneven-spacing",
            String.format(
                Locale.ROOT,
                "series %s has uneven slice spacing (%.3f mm and %.3f mm); resampling uneven series is not supported yet",
                series,
                step,
                gap));
      }
    }
    int n = parsed.size();
    Vector3D stride = parsed.getLast().position().subtract(origin).multiply(1.0 / (n - 1));
    for (int k = 1; k < n; k++) {
      Vector3D expected = origin.add(stride.multiply(k));
      if (!millimetres.eqZero(parsed.get(k).position().distance(expected))) {
        throw new IngestException(
            "ingest:series.irregular-positions",
            "series "
                + series
                + " has slice positions that do not lie on one line; it cannot be stacked faithfully");
      }
    }
    double spacing = stride.dot(normal);
    Vector3D shear = stride.subtract(normal.multiply(spacing));
    double sx = pixelSpacing[1];
    double sy = pixelSpacing[0];
    List<SourceInstance> sources = parsed.stream().map(Parsed::source).toList();
    Map<String, String> parameters = new TreeMap<>();
    VolumeGeometry geometry;
    short[] voxels;
    if (millimetres.eqZero(shear.norm())) {
      voxels = new short[rows * columns * n];
      for (int k = 0; k < n; k++) {
        System.arraycopy(parsed.get(k).hu(), 0, voxels, k * rows * columns, rows * columns);
      }
      geometry = new VolumeGeometry(columns, rows, n, sx, sy, spacing, origin, row, column, normal);
    } else {
      double degrees = Math.toDegrees(Math.atan2(shear.norm(), spacing));
      if (tilt == TiltPolicy.REFUSE) {
        throw new IngestException(
            "ingest:series.gantry-tilt",
            String.format(
                Locale.ROOT,
                "series %s is sheared (gantry tilt about %.1f degrees) and the tilt policy refuses sheared series",
                series,
                degrees));
      }
      double shearRow = shear.dot(row);
      double shearColumn = shear.dot(column);
      double minRow = Math.min(0, (n - 1) * shearRow);
      double minColumn = Math.min(0, (n - 1) * shearColumn);
      int outColumns = columns + (int) Math.ceil(Math.abs((n - 1) * shearRow) / sx);
      int outRows = rows + (int) Math.ceil(Math.abs((n - 1) * shearColumn) / sy);
      voxels =
          unshear(
              parsed,
              columns,
              rows,
              sx,
              sy,
              shearRow,
              shearColumn,
              minRow,
              minColumn,
              outColumns,
              outRows);
      Vector3D outOrigin = origin.add(row.multiply(minRow)).add(column.multiply(minColumn));
      geometry =
          new VolumeGeometry(
              outColumns, outRows, n, sx, sy, spacing, outOrigin, row, column, normal);
      parameters.put("gantryTiltDegrees", String.format(Locale.ROOT, "%.3f", degrees));
      parameters.put("resampling", "in-plane bilinear shift of each slice onto an orthogonal grid");
    }
    String id =
        org.anatwin.model.DerivedIds.createId(
            "volume",
            ALGORITHM,
            VERSION,
            parameters,
            sources.stream().map(s -> s.datasetHash().hex()).sorted().toList());
    return new Volume(
        id,
        series,
        FrameOfReferenceUid.of(frame),
        geometry,
        voxels,
        sources,
        ALGORITHM,
        VERSION,
        parameters);
  }

  /**
   * Removes the shear of a tilted acquisition: each slice already lies in its plane of the
   * orthogonal grid, only shifted in-plane by {@code k * shear}; it is shifted back with bilinear
   * interpolation. Voxels no slice covers get the series' minimum value.
   */
  static short[] unshear(
      List<Parsed> slices,
      int nx,
      int ny,
      double sx,
      double sy,
      double shearRow,
      double shearColumn,
      double minRow,
      double minColumn,
      int outNx,
      int outNy) {
    short fill = Short.MAX_VALUE;
    for (Parsed slice : slices) {
      for (short v : slice.hu()) {
        fill = (short) Math.min(fill, v);
      }
    }
    short[] out = new short[outNx * outNy * slices.size()];
    for (int k = 0; k < slices.size(); k++) {
      short[] in = slices.get(k).hu();
      // output pixel i sits at input column i - du (du in pixels), likewise rows
      double du = (k * shearRow - minRow) / sx;
      double dv = (k * shearColumn - minColumn) / sy;
      int base = k * outNx * outNy;
      for (int j = 0; j < outNy; j++) {
        double v = j - dv;
        int j0 = (int) Math.floor(v);
        double fv = v - j0;
        for (int i = 0; i < outNx; i++) {
          double u = i - du;
          int i0 = (int) Math.floor(u);
          double fu = u - i0;
          double a = sample(in, nx, ny, i0, j0, fill);
          double b = sample(in, nx, ny, i0 + 1, j0, fill);
          double c = sample(in, nx, ny, i0, j0 + 1, fill);
          double d = sample(in, nx, ny, i0 + 1, j0 + 1, fill);
          double value = (a * (1 - fu) + b * fu) * (1 - fv) + (c * (1 - fu) + d * fu) * fv;
          out[base + i + outNx * j] = (short) Math.round(value);
        }
      }
    }
    return out;
  }

  private static double sample(short[] in, int nx, int ny, int i, int j, short fill) {
    return i < 0 || j < 0 || i >= nx || j >= ny ? fill : in[i + nx * j];
  }

  private Parsed parse(
      SeriesInstanceUid series,
      AttributeList list,
      SourceInstance source,
      int rows,
      int columns,
      double[] iop,
      double[] pixelSpacing,
      Vector3D.Unit normal) {
    double[] ipp = Attribute.getDoubleValues(list, TagFromName.ImagePositionPatient);
    double[] orientation = Attribute.getDoubleValues(list, TagFromName.ImageOrientationPatient);
    double[] ps = Attribute.getDoubleValues(list, TagFromName.PixelSpacing);
    if (ipp == null
        || ipp.length != 3
        || orientation == null
        || orientation.length != 6
        || ps == null
        || ps.length != 2) {
      throw new IngestException(
          "ingest:series.missing-geometry",
          "instance "
              + source.sopInstanceUid()
              + " lacks Image Position/Orientation (Patient) or Pixel Spacing");
    }
    for (int i = 0; i < 6; i++) {
      if (!direction.eq(orientation[i], iop[i])) {
        throw new IngestException(
            "ingest:series.inconsistent-orientation",
            "series " + series + " mixes image orientations");
      }
    }
    if (Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0) != rows
        || Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0) != columns
        || !millimetres.eq(ps[0], pixelSpacing[0])
        || !millimetres.eq(ps[1], pixelSpacing[1])) {
      throw new IngestException(
          "ingest:series.inconsistent-size",
          "series " + series + " mixes image sizes or pixel spacings");
    }
    if (Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1) != 1) {
      throw new IngestException(
          "ingest:series.multiframe-unsupported",
          "instance "
              + source.sopInstanceUid()
              + " is multi-frame; only single-frame series are assembled yet");
    }
    if (Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1) != 1
        || Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 16) != 16) {
      throw new IngestException(
          "ingest:series.pixel-format",
          "instance " + source.sopInstanceUid() + " is not 16-bit greyscale");
    }
    Attribute pixels = list.getPixelData();
    short[] stored;
    try {
      stored = pixels == null ? null : pixels.getShortValues();
    } catch (DicomException e) {
      stored = null;
    }
    if (stored == null || stored.length < rows * columns) {
      throw new IngestException(
          "ingest:series.pixel-format",
          "instance " + source.sopInstanceUid() + " has no uncompressed 16-bit pixel data");
    }
    boolean signed =
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelRepresentation, 0) == 1;
    double slope = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleSlope, 1.0);
    double intercept =
        Attribute.getSingleDoubleValueOrDefault(list, TagFromName.RescaleIntercept, 0.0);
    short[] hu = new short[rows * columns];
    for (int i = 0; i < hu.length; i++) {
      int raw = signed ? stored[i] : stored[i] & 0xffff;
      long value = Math.round(raw * slope + intercept);
      hu[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, value));
    }
    Vector3D position = Vector3D.of(ipp[0], ipp[1], ipp[2]);
    return new Parsed(source, position, hu, position.dot(normal));
  }
}

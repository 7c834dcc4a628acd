package org.anatwin.ingest.internal;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
  public static final String VERSION = "1";

  /** One stored slice: what lineage knows of it and its file bytes. */
  public record Slice(SourceInstance source, byte[] bytes) {}

  private final Precision.DoubleEquivalence direction;
  private final Precision.DoubleEquivalence millimetres;

  /**
   * @param direction tolerance on direction cosines (orientation equality, tilt)
   * @param millimetres tolerance on positions and spacing, in mm
   */
  public SeriesAssembler(
      Precision.DoubleEquivalence direction, Precision.DoubleEquivalence millimetres) {
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
    double step = parsed.get(1).along() - parsed.getFirst().along();
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
      if (!millimetres.eq(gap, step)) {
        throw new IngestException(
            "ingest:series.uneven-spacing",
            "series "
                + series
                + " has uneven slice spacing ("
                + step
                + " mm and "
                + gap
                + " mm); resampling is not supported yet");
      }
      Vector3D offset = parsed.get(k).position().subtract(origin);
      Vector3D sideways = offset.subtract(normal.multiply(offset.dot(normal)));
      if (!millimetres.eqZero(sideways.norm())) {
        double degrees = Math.toDegrees(Math.atan2(sideways.norm(), offset.dot(normal)));
        throw new IngestException(
            "ingest:series.gantry-tilt",
            String.format(
                "series %s is sheared (gantry tilt about %.1f degrees): slice positions do not lie along the slice normal; resampling is not supported yet",
                series, degrees));
      }
    }
    double spacing = (parsed.getLast().along() - parsed.getFirst().along()) / (parsed.size() - 1);
    short[] voxels = new short[rows * columns * parsed.size()];
    for (int k = 0; k < parsed.size(); k++) {
      System.arraycopy(parsed.get(k).hu(), 0, voxels, k * rows * columns, rows * columns);
    }
    VolumeGeometry geometry =
        new VolumeGeometry(
            columns,
            rows,
            parsed.size(),
            pixelSpacing[1],
            pixelSpacing[0],
            spacing,
            origin,
            row,
            column,
            normal);
    List<SourceInstance> sources = parsed.stream().map(Parsed::source).toList();
    String id =
        org.anatwin.model.DerivedIds.createId(
            "volume",
            ALGORITHM,
            VERSION,
            sources.stream().map(s -> s.datasetHash().hex()).sorted().toList());
    return new Volume(
        id, series, FrameOfReferenceUid.of(frame), geometry, voxels, sources, ALGORITHM, VERSION);
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

package org.anatwin.ingest.internal;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.SequenceAttribute;
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
import org.jspecify.annotations.Nullable;

/**
 * Assembles single-frame slices of one series into a {@link Volume} in patient coordinates. Slices
 * are sorted by their position along the slice normal (row x column direction of Image Orientation
 * (Patient)); the spacing between them comes from Image Position (Patient). A series whose slices
 * disagree on orientation or size, whose positions are not on one line along the normal (gantry
 * tilt), or whose spacing is uneven is refused with a code, never silently distorted.
 */
public final class SeriesAssembler {
  public static final String ALGORITHM = "anatwin.series-to-volume";
  public static final String VERSION = "3";

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
  private final SpacingPolicy spacingPolicy;
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
    this(tilt, SpacingPolicy.RESAMPLE, direction, millimetres);
  }

  public SeriesAssembler(
      TiltPolicy tilt,
      SpacingPolicy spacingPolicy,
      Precision.DoubleEquivalence direction,
      Precision.DoubleEquivalence millimetres) {
    this.tilt = tilt;
    this.spacingPolicy = spacingPolicy;
    this.direction = direction;
    this.millimetres = millimetres;
  }

  /** What to do with slices whose spacing along the normal varies (and is no missing slice). */
  public enum SpacingPolicy {
    /** interpolate linearly along the normal onto the smallest step, recorded in the parameters */
    RESAMPLE,
    /** refuse with {@code ingest:series.uneven-spacing} */
    REFUSE
  }

  /** One frame: a single-frame instance, or one frame of an enhanced multi-frame instance. */
  private record Parsed(SourceInstance source, Vector3D position, short[] hu, double along) {}

  public Volume assemble(SeriesInstanceUid series, List<Slice> slices) {
    // a scout (Image Type value 3 LOCALIZER) often shares the series of the axial images: it is
    // left out, and counted in the volume's parameters, as viewers do
    List<Slice> kept = new ArrayList<>(slices.size());
    for (Slice slice : slices) {
      if (!isLocalizer(DicomInstance.read(slice.bytes(), TagFromName.PixelData))) {
        kept.add(slice);
      }
    }
    int localizers = slices.size() - kept.size();
    Volume volume = assembleStack(series, kept);
    if (localizers == 0) {
      return volume;
    }
    Map<String, String> parameters = new TreeMap<>(volume.parameters());
    parameters.put("localizersLeftOut", Integer.toString(localizers));
    return volume(
        series,
        volume.frameOfReference().value(),
        volume.geometry(),
        volume.voxels(),
        volume.sources(),
        parameters);
  }

  private Volume assembleStack(SeriesInstanceUid series, List<Slice> kept) {
    if (kept.isEmpty()) {
      throw tooFewSlices(series, 0);
    }
    AttributeList first = readDecoded(kept.getFirst());
    int rows = Attribute.getSingleIntegerValueOrDefault(first, TagFromName.Rows, 0);
    int columns = Attribute.getSingleIntegerValueOrDefault(first, TagFromName.Columns, 0);
    double[] iop = frameValues(first, 0, PLANE_ORIENTATION, TagFromName.ImageOrientationPatient);
    double[] pixelSpacing = frameValues(first, 0, PIXEL_MEASURES, TagFromName.PixelSpacing);
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

    List<Parsed> parsed = new ArrayList<>(kept.size());
    for (Slice slice : kept) {
      AttributeList list = slice == kept.getFirst() ? first : readDecoded(slice);
      parsed.addAll(parse(series, list, slice.source(), rows, columns, iop, pixelSpacing, normal));
    }
    if (parsed.size() < 2) {
      throw tooFewSlices(series, parsed.size());
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
    double unevenGap = Double.NaN;
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
        unevenGap = gap;
      }
    }
    if (!Double.isNaN(unevenGap)) {
      if (spacingPolicy == SpacingPolicy.REFUSE) {
        throw new IngestException(
            "ingest:series.uneven-spacing",
            String.format(
                Locale.ROOT,
                "series %s has uneven slice spacing (%.3f mm and %.3f mm) and the spacing policy refuses uneven series",
                series,
                step,
                unevenGap));
      }
      return resampleUneven(
          series, parsed, frame, rows, columns, pixelSpacing, row, column, normal, step);
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
    List<SourceInstance> sources = sources(parsed);
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
    return volume(series, frame, geometry, voxels, sources, parameters);
  }

  /**
   * Reads a slice with its pixel data decoded: a deflated data set is inflated as it is read, RLE,
   * lossless JPEG and lossless JPEG-LS frames are decoded by our own decoders into native 16-bit
   * pixel data. A frame that does not decode is refused with a code.
   */
  private static AttributeList readDecoded(Slice slice) {
    return readDecoded(slice.bytes(), slice.source().sopInstanceUid().toString());
  }

  /** As {@link #readDecoded(Slice)}, for the bytes of the instance named {@code instance}. */
  static AttributeList readDecoded(byte[] bytes, String instance) {
    AttributeList list = DicomInstance.read(bytes, null, false);
    if (!(list.getPixelData() instanceof OtherByteAttributeMultipleCompressedFrames compressed)) {
      return list;
    }
    String syntax = DicomInstance.text(list, TagFromName.TransferSyntaxUID);
    int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
    int columns = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
    int frames = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1);
    if (Attribute.getSingleIntegerValueOrDefault(list, TagFromName.BitsAllocated, 16) != 16
        || Attribute.getSingleIntegerValueOrDefault(list, TagFromName.SamplesPerPixel, 1) != 1) {
      return list; // refused as not 16-bit greyscale by parse()
    }
    int plane = rows * columns;
    short[] pixels = new short[Math.multiplyExact(plane, frames)];
    try {
      if (compressed.getNumberOfFrames() < frames) {
        throw new IngestException(
            "ingest:series.pixel-decode",
            compressed.getNumberOfFrames() + " compressed frames for " + frames + " frames");
      }
      for (int f = 0; f < frames; f++) {
        byte[] frame = compressed.getByteValuesForSelectedFrame(f);
        short[] samples =
            switch (syntax) {
              case TransferSyntaxes.RLE -> Rle.decode16(frame, rows, columns);
              case TransferSyntaxes.JPEG_LOSSLESS, TransferSyntaxes.JPEG_LOSSLESS_SV1 ->
                  JpegLossless.decode(frame, rows, columns);
              case TransferSyntaxes.JPEG_LS_LOSSLESS -> JpegLs.decode(frame, rows, columns);
              default ->
                  throw new IngestException(
                      "ingest:series.pixel-decode", "no decoder for transfer syntax " + syntax);
            };
        System.arraycopy(samples, 0, pixels, f * plane, plane);
      }
      Attribute native16 = new OtherWordAttribute(TagFromName.PixelData);
      native16.setValues(pixels);
      list.put(native16);
      return list;
    } catch (IngestException e) {
      throw new IngestException(
          e.code(), "the pixel data of instance " + instance + ": " + e.getMessage(), e);
    } catch (DicomException e) {
      throw new IngestException(
          "ingest:series.pixel-decode",
          "the pixel data of instance " + instance + " cannot be read: " + e.getMessage(),
          e);
    }
  }

  private static boolean isLocalizer(AttributeList list) {
    String[] type = Attribute.getStringValues(list, TagFromName.ImageType);
    return type != null && type.length >= 3 && type[2].strip().equalsIgnoreCase("LOCALIZER");
  }

  private static IngestException tooFewSlices(SeriesInstanceUid series, int frames) {
    return new IngestException(
        "ingest:series.too-few-slices",
        "series " + series + " has " + frames + " image frame(s); a volume needs at least 2");
  }

  private static Volume volume(
      SeriesInstanceUid series,
      String frame,
      VolumeGeometry geometry,
      short[] voxels,
      List<SourceInstance> sources,
      Map<String, String> parameters) {
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
   * An untilted series with uneven spacing along the normal: each output slice, on an even grid
   * from the first frame to the last no coarser than the smallest step, is interpolated linearly
   * between the two frames around it. Frames must lie on one line along the normal (no in-plane
   * offset).
   */
  private Volume resampleUneven(
      SeriesInstanceUid series,
      List<Parsed> parsed,
      String frame,
      int rows,
      int columns,
      double[] pixelSpacing,
      Vector3D.Unit row,
      Vector3D.Unit column,
      Vector3D.Unit normal,
      double step) {
    Vector3D origin = parsed.getFirst().position();
    for (Parsed p : parsed) {
      Vector3D offset = p.position().subtract(origin);
      Vector3D inPlane = offset.subtract(normal.multiply(offset.dot(normal)));
      if (!millimetres.eqZero(inPlane.norm())) {
        throw new IngestException(
            "ingest:series.irregular-positions",
            "series "
                + series
                + " has uneven spacing and slice positions off one line along the normal; it cannot be stacked faithfully");
      }
    }
    double start = parsed.getFirst().along();
    double length = parsed.getLast().along() - start;
    // the finest grid no coarser than the smallest step that has a slice at both ends
    int intervals = (int) Math.ceil(length / step - 1e-6);
    double grid = length / intervals;
    int n = intervals + 1;
    int plane = rows * columns;
    short[] voxels = new short[plane * n];
    int lower = 0;
    for (int k = 0; k < n; k++) {
      double at = start + k * grid;
      while (lower < parsed.size() - 2 && parsed.get(lower + 1).along() <= at + 1e-9) {
        lower++;
      }
      Parsed a = parsed.get(lower);
      Parsed b = parsed.get(lower + 1);
      double t = Math.max(0, Math.min(1, (at - a.along()) / (b.along() - a.along())));
      for (int i = 0; i < plane; i++) {
        voxels[k * plane + i] = (short) Math.round(a.hu()[i] * (1 - t) + b.hu()[i] * t);
      }
    }
    VolumeGeometry geometry =
        new VolumeGeometry(
            columns, rows, n, pixelSpacing[1], pixelSpacing[0], grid, origin, row, column, normal);
    Map<String, String> parameters = new TreeMap<>();
    parameters.put("resampling", "linear along the slice normal, onto the smallest step or finer");
    parameters.put("sliceStepMm", String.format(Locale.ROOT, "%.4f", grid));
    return volume(series, frame, geometry, voxels, sources(parsed), parameters);
  }

  /** The distinct instances behind the frames, in frame order. */
  private static List<SourceInstance> sources(List<Parsed> parsed) {
    return parsed.stream().map(Parsed::source).distinct().toList();
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

  private static final AttributeTag SHARED_GROUPS = new AttributeTag(0x5200, 0x9229);
  private static final AttributeTag PER_FRAME_GROUPS = new AttributeTag(0x5200, 0x9230);
  private static final AttributeTag PLANE_POSITION = new AttributeTag(0x0020, 0x9113);
  private static final AttributeTag PLANE_ORIENTATION = new AttributeTag(0x0020, 0x9116);
  private static final AttributeTag PIXEL_MEASURES = new AttributeTag(0x0028, 0x9110);
  private static final AttributeTag VALUE_TRANSFORMATION = new AttributeTag(0x0028, 0x9145);

  /**
   * A frame's value of an attribute: in an enhanced multi-frame instance from the frame's item of
   * the Per-frame Functional Groups, else from the Shared Functional Groups (inside the functional
   * group macro {@code group}); else, as in a single-frame instance, from the top level.
   */
  static double @Nullable [] frameValues(
      AttributeList list, int frame, AttributeTag group, AttributeTag tag) {
    for (AttributeTag groups : new AttributeTag[] {PER_FRAME_GROUPS, SHARED_GROUPS}) {
      AttributeList item = item(list, groups, groups == PER_FRAME_GROUPS ? frame : 0);
      AttributeList macro = item == null ? null : item(item, group, 0);
      if (macro != null && macro.get(tag) != null) {
        return Attribute.getDoubleValues(macro, tag);
      }
    }
    return Attribute.getDoubleValues(list, tag);
  }

  private static @Nullable AttributeList item(AttributeList list, AttributeTag tag, int index) {
    if (list.get(tag) instanceof SequenceAttribute sequence
        && index < sequence.getNumberOfItems()) {
      return sequence.getItem(index).getAttributeList();
    }
    return null;
  }

  private static double frameValue(
      AttributeList list, int frame, AttributeTag group, AttributeTag tag, double otherwise) {
    double[] values = frameValues(list, frame, group, tag);
    return values == null || values.length == 0 ? otherwise : values[0];
  }

  private List<Parsed> parse(
      SeriesInstanceUid series,
      AttributeList list,
      SourceInstance source,
      int rows,
      int columns,
      double[] iop,
      double[] pixelSpacing,
      Vector3D.Unit normal) {
    int frames = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1);
    if (frames < 1 || (frames > 1 && list.get(PER_FRAME_GROUPS) == null)) {
      throw new IngestException(
          "ingest:series.multiframe-unsupported",
          "instance "
              + source.sopInstanceUid()
              + " has "
              + frames
              + " frames without per-frame functional groups; only single-frame and enhanced multi-frame images are assembled");
    }
    if (Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0) != rows
        || Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0) != columns) {
      throw new IngestException(
          "ingest:series.inconsistent-size",
          "series " + series + " mixes image sizes or pixel spacings");
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
    int plane = rows * columns;
    if (stored == null || (long) stored.length < (long) plane * frames) {
      throw new IngestException(
          "ingest:series.pixel-format",
          "instance "
              + source.sopInstanceUid()
              + " has no uncompressed 16-bit pixel data for its "
              + frames
              + " frame(s)");
    }
    boolean signed =
        Attribute.getSingleIntegerValueOrDefault(list, TagFromName.PixelRepresentation, 0) == 1;
    List<Parsed> out = new ArrayList<>(frames);
    for (int f = 0; f < frames; f++) {
      double[] ipp = frameValues(list, f, PLANE_POSITION, TagFromName.ImagePositionPatient);
      double[] orientation =
          frameValues(list, f, PLANE_ORIENTATION, TagFromName.ImageOrientationPatient);
      double[] ps = frameValues(list, f, PIXEL_MEASURES, TagFromName.PixelSpacing);
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
                + (frames > 1 ? " frame " + (f + 1) : "")
                + " lacks Image Position/Orientation (Patient) or Pixel Spacing");
      }
      for (int i = 0; i < 6; i++) {
        if (!direction.eq(orientation[i], iop[i])) {
          throw new IngestException(
              "ingest:series.inconsistent-orientation",
              "series " + series + " mixes image orientations");
        }
      }
      if (!millimetres.eq(ps[0], pixelSpacing[0]) || !millimetres.eq(ps[1], pixelSpacing[1])) {
        throw new IngestException(
            "ingest:series.inconsistent-size",
            "series " + series + " mixes image sizes or pixel spacings");
      }
      double slope = frameValue(list, f, VALUE_TRANSFORMATION, TagFromName.RescaleSlope, 1.0);
      double intercept =
          frameValue(list, f, VALUE_TRANSFORMATION, TagFromName.RescaleIntercept, 0.0);
      short[] hu = new short[plane];
      int offset = f * plane;
      for (int i = 0; i < plane; i++) {
        int raw = signed ? stored[offset + i] : stored[offset + i] & 0xffff;
        long value = Math.round(raw * slope + intercept);
        hu[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, value));
      }
      Vector3D position = Vector3D.of(ipp[0], ipp[1], ipp[2]);
      out.add(new Parsed(source, position, hu, position.dot(normal)));
    }
    return out;
  }
}

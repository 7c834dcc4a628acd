package org.anatwin.modeling;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.anatwin.model.DerivedIds;
import org.anatwin.model.FrameOfReferenceUid;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeGeometry;
import org.anatwin.modeling.internal.ContourRaster;
import org.apache.commons.geometry.euclidean.threed.AffineTransformMatrix3D;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.jspecify.annotations.Nullable;

/**
 * Segmentations made elsewhere, as label maps: DICOM Segmentation objects (binary, fractional and
 * label-map segmentation storage, overlapping segments allowed: every segment gets its own label
 * map) and RT Structure Sets (closed planar contours rasterised in patient coordinates). Each
 * segment or ROI becomes one {@link LabelMap} whose id derives from the source object's SOP
 * Instance UID, the import algorithm and the segment, so importing the same object twice gives the
 * same ids and the same voxels.
 */
public final class Segmentations {
  public static final String SEG_IMPORT = "anatwin.import.dicom-seg";
  public static final String SEG_IMPORT_VERSION = "1";
  public static final String RTSTRUCT_IMPORT = "anatwin.import.rtstruct";
  public static final String RTSTRUCT_IMPORT_VERSION = "1";

  public static final String SEGMENTATION_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4";
  public static final String LABEL_MAP_SEGMENTATION_STORAGE = "1.2.840.10008.5.1.4.1.1.66.7";
  public static final String RT_STRUCTURE_SET_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3";

  private static final AttributeTag SHARED = TagFromName.SharedFunctionalGroupsSequence;
  private static final AttributeTag PER_FRAME = TagFromName.PerFrameFunctionalGroupsSequence;
  private static final AttributeTag SEGMENT_IDENTIFICATION = new AttributeTag(0x0062, 0x000A);
  private static final AttributeTag REFERENCED_SEGMENT_NUMBER = new AttributeTag(0x0062, 0x000B);
  private static final AttributeTag SEGMENT_SEQUENCE = new AttributeTag(0x0062, 0x0002);
  private static final AttributeTag SEGMENT_NUMBER = new AttributeTag(0x0062, 0x0004);
  private static final AttributeTag SEGMENT_LABEL = new AttributeTag(0x0062, 0x0005);
  private static final AttributeTag SEGMENTED_PROPERTY_TYPE = new AttributeTag(0x0062, 0x000F);
  private static final AttributeTag SEGMENTATION_TYPE = new AttributeTag(0x0062, 0x0001);
  private static final AttributeTag MAXIMUM_FRACTIONAL_VALUE = new AttributeTag(0x0062, 0x000E);
  private static final AttributeTag PLANE_POSITION = new AttributeTag(0x0020, 0x9113);
  private static final AttributeTag PLANE_ORIENTATION = new AttributeTag(0x0020, 0x9116);
  private static final AttributeTag PIXEL_MEASURES = new AttributeTag(0x0028, 0x9110);

  private static final AttributeTag STRUCTURE_SET_ROI_SEQUENCE = new AttributeTag(0x3006, 0x0020);
  private static final AttributeTag ROI_NUMBER = new AttributeTag(0x3006, 0x0022);
  private static final AttributeTag ROI_NAME = new AttributeTag(0x3006, 0x0026);
  private static final AttributeTag ROI_CONTOUR_SEQUENCE = new AttributeTag(0x3006, 0x0039);
  private static final AttributeTag REFERENCED_ROI_NUMBER = new AttributeTag(0x3006, 0x0084);
  private static final AttributeTag CONTOUR_SEQUENCE = new AttributeTag(0x3006, 0x0040);
  private static final AttributeTag CONTOUR_GEOMETRIC_TYPE = new AttributeTag(0x3006, 0x0042);

  /** Grid positions must land within this fraction of a voxel of a voxel centre. */
  private static final double ON_GRID = 0.05;

  private Segmentations() {}

  /**
   * One imported segment or ROI: its number and label as the object names them, the coded property
   * (code meaning, empty when none), its label map and the frame of reference of its coordinates.
   */
  public record Segment(
      int number, String label, String property, LabelMap labelMap, FrameOfReferenceUid frame) {}

  /**
   * The in-plane grid to rasterise RT contours on: the directions and pixel spacing (mm) of the
   * image the structure set was drawn on.
   */
  public record PlaneGrid(
      Vector3D.Unit row, Vector3D.Unit column, double columnStep, double rowStep) {

    /** The grid of an image: Image Orientation (Patient) and Pixel Spacing. */
    public static PlaneGrid of(AttributeList image) {
      double[] iop = Attribute.getDoubleValues(image, TagFromName.ImageOrientationPatient);
      double[] spacing = Attribute.getDoubleValues(image, TagFromName.PixelSpacing);
      if (iop == null || iop.length != 6 || spacing == null || spacing.length != 2) {
        throw new ModelingException(
            "modeling:rtstruct.image-geometry",
            "the reference image has no Image Orientation (Patient) or Pixel Spacing");
      }
      return new PlaneGrid(
          Vector3D.of(iop[0], iop[1], iop[2]).normalize(),
          Vector3D.of(iop[3], iop[4], iop[5]).normalize(),
          spacing[1],
          spacing[0]);
    }
  }

  /**
   * The segments of a stored DICOM Segmentation or RT Structure Set (its Part 10 bytes), on the
   * grid of the volume of the series it was drawn on: a SEG's frames must lie on that volume's
   * grid; an RT Structure Set's contours are rasterised with the volume's in-plane directions and
   * pixel spacing. Other SOP classes are refused ({@code modeling:segmentation.sop-class}).
   */
  public static List<Segment> fromDicom(byte[] bytes, Volume reference) {
    AttributeList list = new AttributeList();
    try (com.pixelmed.dicom.DicomInputStream in =
        new com.pixelmed.dicom.DicomInputStream(new java.io.ByteArrayInputStream(bytes))) {
      list.read(in);
    } catch (java.io.IOException | com.pixelmed.dicom.DicomException e) {
      throw new ModelingException(
          "modeling:segmentation.unreadable", "the object cannot be read: " + e.getMessage());
    }
    String sopClass = text(list, TagFromName.SOPClassUID);
    if (sopClass.equals(SEGMENTATION_STORAGE) || sopClass.equals(LABEL_MAP_SEGMENTATION_STORAGE)) {
      return fromSeg(list, reference);
    }
    if (sopClass.equals(RT_STRUCTURE_SET_STORAGE)) {
      var g = reference.geometry();
      return fromRtStruct(list, new PlaneGrid(g.row(), g.column(), g.sx(), g.sy()));
    }
    throw new ModelingException(
        "modeling:segmentation.sop-class",
        "SOP class " + sopClass + " is neither a Segmentation nor an RT Structure Set");
  }

  /**
   * The segments of a DICOM Segmentation. With {@code reference} (the volume of the series the SEG
   * was drawn on) every frame is placed on that volume's grid and must lie on it; without, the grid
   * is built from the frames themselves (orientation, pixel spacing, and positions along the
   * normal, stepped by Spacing Between Slices where given). Frames a sparse SEG leaves out are
   * background.
   */
  public static List<Segment> fromSeg(AttributeList seg, @Nullable Volume reference) {
    String sopClass = text(seg, TagFromName.SOPClassUID);
    if (!sopClass.equals(SEGMENTATION_STORAGE)
        && !sopClass.equals(LABEL_MAP_SEGMENTATION_STORAGE)) {
      throw new ModelingException(
          "modeling:seg.not-a-segmentation", "SOP class " + sopClass + " is not a segmentation");
    }
    String transferSyntax = text(seg, TagFromName.TransferSyntaxUID);
    if (!transferSyntax.isEmpty()
        && !transferSyntax.equals("1.2.840.10008.1.2.1")
        && !transferSyntax.equals("1.2.840.10008.1.2")) {
      throw new ModelingException(
          "modeling:seg.transfer-syntax",
          "segmentations are read in uncompressed little endian, not " + transferSyntax);
    }
    String type = text(seg, SEGMENTATION_TYPE);
    if (sopClass.equals(LABEL_MAP_SEGMENTATION_STORAGE)) {
      type = "LABELMAP";
    }
    int rows = Attribute.getSingleIntegerValueOrDefault(seg, TagFromName.Rows, 0);
    int columns = Attribute.getSingleIntegerValueOrDefault(seg, TagFromName.Columns, 0);
    int frames = Attribute.getSingleIntegerValueOrDefault(seg, TagFromName.NumberOfFrames, 1);
    int bits = Attribute.getSingleIntegerValueOrDefault(seg, TagFromName.BitsAllocated, 0);
    String sopInstance = text(seg, TagFromName.SOPInstanceUID);
    String frameUid = text(seg, TagFromName.FrameOfReferenceUID);
    if (rows < 1 || columns < 1 || frames < 1 || sopInstance.isEmpty() || frameUid.isEmpty()) {
      throw new ModelingException(
          "modeling:seg.missing-attributes",
          "the segmentation lacks Rows, Columns, Number of Frames, SOP Instance UID or Frame of"
              + " Reference UID");
    }
    boolean binary = type.equals("BINARY");
    if (!(binary && bits == 1)
        && !(type.equals("FRACTIONAL") && bits == 8)
        && !(type.equals("LABELMAP") && (bits == 8 || bits == 16))) {
      throw new ModelingException(
          "modeling:seg.type",
          "segmentation type " + type + " with " + bits + " bits allocated is not supported");
    }
    if (reference != null && !reference.frameOfReference().value().equals(frameUid)) {
      throw new ModelingException(
          "modeling:seg.frame-of-reference",
          "the segmentation is in frame of reference "
              + frameUid
              + ", the reference volume in "
              + reference.frameOfReference().value());
    }

    Map<Integer, String[]> described = segments(seg);
    Vector3D[] positions = new Vector3D[frames];
    int[] segmentOf = new int[frames];
    double[] iop = null;
    double[] spacing = null;
    for (int f = 0; f < frames; f++) {
      double[] position = frameValues(seg, f, PLANE_POSITION, TagFromName.ImagePositionPatient);
      double[] orientation =
          frameValues(seg, f, PLANE_ORIENTATION, TagFromName.ImageOrientationPatient);
      double[] pixels = frameValues(seg, f, PIXEL_MEASURES, TagFromName.PixelSpacing);
      if (position == null
          || position.length != 3
          || orientation == null
          || orientation.length != 6
          || pixels == null
          || pixels.length != 2) {
        throw new ModelingException(
            "modeling:seg.missing-geometry",
            "frame " + (f + 1) + " has no plane position, orientation or pixel spacing");
      }
      if (iop == null) {
        iop = orientation;
        spacing = pixels;
      } else if (!sameValues(iop, orientation, 1e-4) || !sameValues(spacing, pixels, 1e-4)) {
        throw new ModelingException(
            "modeling:seg.mixed-geometry",
            "frame " + (f + 1) + " differs in orientation or pixel spacing from frame 1");
      }
      positions[f] = Vector3D.of(position[0], position[1], position[2]);
      if (!type.equals("LABELMAP")) {
        double[] number = frameValues(seg, f, SEGMENT_IDENTIFICATION, REFERENCED_SEGMENT_NUMBER);
        if (number == null || number.length != 1 || !described.containsKey((int) number[0])) {
          throw new ModelingException(
              "modeling:seg.segment-reference",
              "frame " + (f + 1) + " names no segment of the Segment Sequence");
        }
        segmentOf[f] = (int) number[0];
      }
    }
    Vector3D.Unit row = Vector3D.of(iop[0], iop[1], iop[2]).normalize();
    Vector3D.Unit column = Vector3D.of(iop[3], iop[4], iop[5]).normalize();
    VolumeGeometry grid =
        reference != null
            ? reference.geometry()
            : ownGrid(seg, positions, row, column, spacing[1], spacing[0], columns, rows);
    if (grid.nx() != columns
        || grid.ny() != rows
        || grid.row().dot(row) < 1 - 1e-4
        || grid.column().dot(column) < 1 - 1e-4
        || Math.abs(grid.sx() - spacing[1]) > 1e-3 * grid.sx()
        || Math.abs(grid.sy() - spacing[0]) > 1e-3 * grid.sy()) {
      throw new ModelingException(
          "modeling:seg.grid-mismatch",
          "the segmentation's frames ("
              + columns
              + "x"
              + rows
              + ", "
              + spacing[1]
              + " x "
              + spacing[0]
              + " mm) are not on the reference grid "
              + grid);
    }
    int[] sliceOf = new int[frames];
    AffineTransformMatrix3D toIndex = grid.indexToPatient().inverse();
    for (int f = 0; f < frames; f++) {
      Vector3D index = toIndex.apply(positions[f]);
      long k = Math.round(index.getZ());
      if (Math.abs(index.getX()) > ON_GRID
          || Math.abs(index.getY()) > ON_GRID
          || Math.abs(index.getZ() - k) > ON_GRID
          || k < 0
          || k >= grid.nz()) {
        throw new ModelingException(
            "modeling:seg.grid-mismatch",
            "frame " + (f + 1) + " at " + positions[f] + " lies off the grid " + grid);
      }
      sliceOf[f] = (int) k;
    }

    Map<Integer, byte[]> labels = new TreeMap<>();
    for (int number : described.keySet()) {
      if (number > 0) {
        labels.put(number, new byte[Math.toIntExact(grid.voxelCount())]);
      }
    }
    fill(seg, type, bits, frames, rows * columns, grid, sliceOf, segmentOf, labels);

    String source = "dicom-seg:" + sopInstance;
    String gridName = reference != null ? reference.id() : "frames";
    FrameOfReferenceUid frame = FrameOfReferenceUid.of(frameUid);
    List<Segment> out = new ArrayList<>();
    for (var entry : labels.entrySet()) {
      String[] description = described.get(entry.getKey());
      Map<String, String> parameters =
          Map.of(
              "segmentNumber",
              Integer.toString(entry.getKey()),
              "segmentationType",
              type,
              "grid",
              gridName);
      byte[] voxels = entry.getValue();
      out.add(
          new Segment(
              entry.getKey(),
              description[0],
              description[1],
              new LabelMap(
                  DerivedIds.createId(
                      "labelmap", source, SEG_IMPORT, SEG_IMPORT_VERSION, parameters),
                  source,
                  grid,
                  voxels,
                  SEG_IMPORT,
                  SEG_IMPORT_VERSION,
                  parameters,
                  count(voxels)),
              frame));
    }
    return out;
  }

  /**
   * One label map per ROI of an RT Structure Set: every closed planar contour is rasterised on a
   * grid with the in-plane directions and spacing of {@code plane}, slices at the contour planes
   * (stepped by the smallest distance between contour planes of the structure set), covering the
   * ROI's contours; a voxel is inside when its centre is inside an odd number of the plane's
   * contours of that ROI (so a contour inside another cuts a hole). ROIs without a closed contour
   * (points, open curves) are left out.
   */
  public static List<Segment> fromRtStruct(AttributeList rtss, PlaneGrid plane) {
    String sopClass = text(rtss, TagFromName.SOPClassUID);
    if (!sopClass.equals(RT_STRUCTURE_SET_STORAGE)) {
      throw new ModelingException(
          "modeling:rtstruct.not-a-structure-set",
          "SOP class " + sopClass + " is not an RT Structure Set");
    }
    String sopInstance = text(rtss, TagFromName.SOPInstanceUID);
    Map<Integer, String[]> rois = new TreeMap<>();
    for (AttributeList roi : items(rtss, STRUCTURE_SET_ROI_SEQUENCE)) {
      int number = Attribute.getSingleIntegerValueOrDefault(roi, ROI_NUMBER, -1);
      rois.put(
          number,
          new String[] {text(roi, ROI_NAME), text(roi, TagFromName.ReferencedFrameOfReferenceUID)});
    }
    Map<Integer, List<double[]>> contours = new TreeMap<>();
    for (AttributeList roi : items(rtss, ROI_CONTOUR_SEQUENCE)) {
      int number = Attribute.getSingleIntegerValueOrDefault(roi, REFERENCED_ROI_NUMBER, -1);
      if (!rois.containsKey(number)) {
        throw new ModelingException(
            "modeling:rtstruct.roi-reference",
            "an ROI contour names ROI " + number + ", which the structure set does not define");
      }
      for (AttributeList contour : items(roi, CONTOUR_SEQUENCE)) {
        if (!text(contour, CONTOUR_GEOMETRIC_TYPE).equals("CLOSED_PLANAR")) {
          continue;
        }
        double[] points = Attribute.getDoubleValues(contour, TagFromName.ContourData);
        if (points == null || points.length < 9 || points.length % 3 != 0) {
          throw new ModelingException(
              "modeling:rtstruct.contour-data",
              "ROI " + number + " has a closed contour with fewer than three points");
        }
        contours.computeIfAbsent(number, n -> new ArrayList<>()).add(points);
      }
    }
    if (contours.isEmpty()) {
      throw new ModelingException(
          "modeling:rtstruct.no-contours", "the structure set has no closed planar contour");
    }
    ContourRaster raster = new ContourRaster(plane.row(), plane.column());
    double step = raster.planeStep(contours.values());
    String source = "rtstruct:" + sopInstance;
    List<Segment> out = new ArrayList<>();
    for (var entry : contours.entrySet()) {
      String[] roi = rois.get(entry.getKey());
      if (roi[1].isEmpty()) {
        throw new ModelingException(
            "modeling:rtstruct.frame-of-reference",
            "ROI " + entry.getKey() + " names no Referenced Frame of Reference UID");
      }
      ContourRaster.Result result =
          raster.rasterise(entry.getValue(), plane.columnStep(), plane.rowStep(), step);
      Map<String, String> parameters =
          Map.of(
              "roiNumber",
              Integer.toString(entry.getKey()),
              "columnStep",
              Double.toString(plane.columnStep()),
              "rowStep",
              Double.toString(plane.rowStep()),
              "sliceStep",
              Double.toString(step),
              "inside",
              "voxel centre inside an odd number of the plane's contours");
      out.add(
          new Segment(
              entry.getKey(),
              roi[0],
              "",
              new LabelMap(
                  DerivedIds.createId(
                      "labelmap", source, RTSTRUCT_IMPORT, RTSTRUCT_IMPORT_VERSION, parameters),
                  source,
                  result.geometry(),
                  result.labels(),
                  RTSTRUCT_IMPORT,
                  RTSTRUCT_IMPORT_VERSION,
                  parameters,
                  count(result.labels())),
              FrameOfReferenceUid.of(roi[1])));
    }
    return out;
  }

  /** Sets each segment's voxels from the pixel data of the frames. */
  private static void fill(
      AttributeList seg,
      String type,
      int bits,
      int frames,
      int framePixels,
      VolumeGeometry grid,
      int[] sliceOf,
      int[] segmentOf,
      Map<Integer, byte[]> labels) {
    Attribute pixelData = seg.get(TagFromName.PixelData);
    long needed = (long) frames * framePixels * bits;
    try {
      if (bits == 16) {
        short[] values = pixelData == null ? null : pixelData.getShortValues();
        if (values == null || (long) values.length * 16 < needed) {
          throw tooShort(needed);
        }
        int padding =
            Attribute.getSingleIntegerValueOrDefault(seg, TagFromName.PixelPaddingValue, -1);
        for (int f = 0; f < frames; f++) {
          int base = sliceOf[f] * framePixels;
          for (int p = 0; p < framePixels; p++) {
            int value = values[f * framePixels + p] & 0xffff;
            byte[] target = value == padding ? null : labels.get(value);
            if (target != null) {
              target[base + p] = 1;
            }
          }
        }
        return;
      }
      byte[] bytes = pixelData == null ? null : pixelData.getByteValues();
      if (bytes == null || (long) bytes.length * 8 < needed) {
        throw tooShort(needed);
      }
      int maximum = Attribute.getSingleIntegerValueOrDefault(seg, MAXIMUM_FRACTIONAL_VALUE, 255);
      int padding =
          Attribute.getSingleIntegerValueOrDefault(seg, TagFromName.PixelPaddingValue, -1);
      for (int f = 0; f < frames; f++) {
        int base = sliceOf[f] * framePixels;
        byte[] target = type.equals("LABELMAP") ? null : labels.get(segmentOf[f]);
        for (int p = 0; p < framePixels; p++) {
          long at = (long) f * framePixels + p;
          switch (type) {
            case "BINARY" -> {
              if (target != null && ((bytes[(int) (at >>> 3)] >> (at & 7)) & 1) != 0) {
                target[base + p] = 1;
              }
            }
            case "FRACTIONAL" -> {
              if (target != null && 2 * (bytes[(int) at] & 0xff) >= maximum) {
                target[base + p] = 1;
              }
            }
            default -> {
              int value = bytes[(int) at] & 0xff;
              byte[] labelled = value == padding ? null : labels.get(value);
              if (labelled != null) {
                labelled[base + p] = 1;
              }
            }
          }
        }
      }
    } catch (com.pixelmed.dicom.DicomException e) {
      throw new ModelingException(
          "modeling:seg.pixel-data", "the segmentation's pixel data cannot be read", e);
    }
  }

  private static ModelingException tooShort(long bits) {
    return new ModelingException(
        "modeling:seg.pixel-data",
        "the segmentation's pixel data is shorter than its " + bits + " bits of frames");
  }

  /** A grid built from the frames: positions along the normal, stepped evenly. */
  private static VolumeGeometry ownGrid(
      AttributeList seg,
      Vector3D[] positions,
      Vector3D.Unit row,
      Vector3D.Unit column,
      double sx,
      double sy,
      int nx,
      int ny) {
    Vector3D.Unit normal = row.cross(column).normalize();
    double[] along = new double[positions.length];
    int first = 0;
    for (int f = 0; f < positions.length; f++) {
      along[f] = positions[f].dot(normal);
      if (along[f] < along[first]) {
        first = f;
      }
    }
    double[] sorted = along.clone();
    java.util.Arrays.sort(sorted);
    double step = frameValue(seg, PIXEL_MEASURES, TagFromName.SpacingBetweenSlices, Double.NaN);
    if (!(step > 0)) {
      step = Double.MAX_VALUE;
      for (int i = 1; i < sorted.length; i++) {
        double gap = sorted[i] - sorted[i - 1];
        if (gap > 1e-3) {
          step = Math.min(step, gap);
        }
      }
      if (step == Double.MAX_VALUE) {
        step = frameValue(seg, PIXEL_MEASURES, TagFromName.SliceThickness, Math.min(sx, sy));
      }
    }
    int nz = (int) Math.round((sorted[sorted.length - 1] - sorted[0]) / step) + 1;
    return new VolumeGeometry(nx, ny, nz, sx, sy, step, positions[first], row, column, normal);
  }

  /** Segment number to {label, property type meaning}. */
  private static Map<Integer, String[]> segments(AttributeList seg) {
    Map<Integer, String[]> segments = new TreeMap<>();
    for (AttributeList item : items(seg, SEGMENT_SEQUENCE)) {
      int number = Attribute.getSingleIntegerValueOrDefault(item, SEGMENT_NUMBER, -1);
      List<AttributeList> property = items(item, SEGMENTED_PROPERTY_TYPE);
      segments.put(
          number,
          new String[] {
            text(item, SEGMENT_LABEL),
            property.isEmpty() ? "" : text(property.getFirst(), TagFromName.CodeMeaning)
          });
    }
    if (segments.isEmpty() || segments.containsKey(-1)) {
      throw new ModelingException(
          "modeling:seg.segments", "the Segment Sequence is empty or a segment has no number");
    }
    return segments;
  }

  private static double @Nullable [] frameValues(
      AttributeList list, int frame, AttributeTag group, AttributeTag tag) {
    for (AttributeTag groups : new AttributeTag[] {PER_FRAME, SHARED}) {
      List<AttributeList> frames = items(list, groups);
      int index = groups == PER_FRAME ? frame : 0;
      if (index < frames.size()) {
        List<AttributeList> macro = items(frames.get(index), group);
        if (!macro.isEmpty() && macro.getFirst().get(tag) != null) {
          return Attribute.getDoubleValues(macro.getFirst(), tag);
        }
      }
    }
    return Attribute.getDoubleValues(list, tag);
  }

  private static double frameValue(
      AttributeList list, AttributeTag group, AttributeTag tag, double otherwise) {
    double[] values = frameValues(list, 0, group, tag);
    return values == null || values.length == 0 ? otherwise : values[0];
  }

  private static List<AttributeList> items(AttributeList list, AttributeTag tag) {
    List<AttributeList> out = new ArrayList<>();
    if (list.get(tag) instanceof SequenceAttribute sequence) {
      for (int i = 0; i < sequence.getNumberOfItems(); i++) {
        out.add(sequence.getItem(i).getAttributeList());
      }
    }
    return out;
  }

  private static String text(AttributeList list, AttributeTag tag) {
    return Attribute.getSingleStringValueOrEmptyString(list, tag).trim();
  }

  private static boolean sameValues(double[] a, double[] b, double tolerance) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > tolerance * Math.max(1, Math.abs(a[i]))) {
        return false;
      }
    }
    return true;
  }

  private static long count(byte[] labels) {
    long count = 0;
    for (byte label : labels) {
      count += label != 0 ? 1 : 0;
    }
    return count;
  }
}

package org.anatwin.modeling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.anatwin.model.FrameOfReferenceUid;
import org.junit.jupiter.api.Test;

/** Import of the real DICOM SEG and RT Structure Set objects of ../shared/data as label maps. */
class SegmentationsTests {
  private static final Path DATA =
      Path.of(System.getProperty("anatwin.shared", "../../shared"), "data");
  private static final Path SEG = DATA.resolve("seg-dcmqi");
  private static final Path RT = DATA.resolve("rtstruct-dicompyler");

  private static AttributeList read(Path file) throws Exception {
    AttributeList list = new AttributeList();
    list.read(new File(file.toString()));
    return list;
  }

  /**
   * The patient-coordinate box of a folder of single-frame images: voxel centres, widened by half a
   * voxel on every side (the extent the image covers).
   */
  private static double[] extent(Path folder, double[] halfVoxel) throws Exception {
    double[] box = {
      Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE,
      -Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE
    };
    List<Path> files;
    try (Stream<Path> list = Files.list(folder)) {
      files = list.sorted().toList();
    }
    for (Path file : files) {
      AttributeList image = read(file);
      double[] ipp = Attribute.getDoubleValues(image, TagFromName.ImagePositionPatient);
      double[] iop = Attribute.getDoubleValues(image, TagFromName.ImageOrientationPatient);
      double[] ps = Attribute.getDoubleValues(image, TagFromName.PixelSpacing);
      int rows = Attribute.getSingleIntegerValueOrDefault(image, TagFromName.Rows, 0);
      int columns = Attribute.getSingleIntegerValueOrDefault(image, TagFromName.Columns, 0);
      for (int corner = 0; corner < 4; corner++) {
        double c = (corner & 1) * (columns - 1) * ps[1];
        double r = (corner >> 1) * (rows - 1) * ps[0];
        for (int a = 0; a < 3; a++) {
          double p = ipp[a] + c * iop[a] + r * iop[3 + a];
          box[a] = Math.min(box[a], p);
          box[3 + a] = Math.max(box[3 + a], p);
        }
      }
      halfVoxel[0] = ps[1] / 2;
      halfVoxel[1] = ps[0] / 2;
    }
    return box;
  }

  @Test
  void theLiverSegMeshLiesWithinHalfAVoxelOfItsCtsExtent() throws Exception {
    List<Segmentations.Segment> segments =
        Segmentations.fromSeg(read(SEG.resolve("liver.dcm")), null);
    assertThat(segments).hasSize(1);
    Segmentations.Segment liver = segments.getFirst();
    assertThat(liver.label()).isEqualTo("Liver");
    assertThat(liver.property()).isEqualTo("Liver");
    assertThat(liver.labelMap().labelledVoxels()).isPositive();
    assertThat(liver.labelMap().geometry().nz()).isEqualTo(3);

    Surface surface = Modeling.createSurface(liver.labelMap(), liver.frame());
    MeshReport report = surface.report();
    assertThat(report.watertight()).isTrue();

    double[] half = new double[2];
    double[] ct = extent(SEG.resolve("ct-3slice"), half);
    // the CT's three slices are 1 mm apart: half a voxel is 0.5 mm across the slices
    double[] slack = {half[0], half[1], 0.5};
    double[] mesh = {
      report.minX(), report.minY(), report.minZ(), report.maxX(), report.maxY(), report.maxZ()
    };
    for (int a = 0; a < 3; a++) {
      assertThat(mesh[a]).as("min " + a).isGreaterThanOrEqualTo(ct[a] - slack[a] - 1e-3);
      assertThat(mesh[3 + a]).as("max " + a).isLessThanOrEqualTo(ct[3 + a] + slack[a] + 1e-3);
    }
    // the liver reaches the first and last slices, so the mesh closes half a slice beyond them
    assertThat(mesh[2]).isCloseTo(ct[2] - 0.5, org.assertj.core.api.Assertions.within(0.05));
    assertThat(mesh[5]).isCloseTo(ct[5] + 0.5, org.assertj.core.api.Assertions.within(0.05));
  }

  @Test
  void overlappingSegmentsEachGetTheirOwnLabelMap() throws Exception {
    List<Segmentations.Segment> segments =
        Segmentations.fromSeg(read(SEG.resolve("partial_overlaps.dcm")), null);
    assertThat(segments)
        .extracting(Segmentations.Segment::label)
        .containsExactlyInAnyOrder("DARK_BLUE", "GREEN", "LIGHT_BLUE", "ORANGE", "PURPLE");
    // overlapping: some voxel belongs to two segments at once
    int voxels = segments.getFirst().labelMap().labels().length;
    int[] owners = new int[voxels];
    for (Segmentations.Segment segment : segments) {
      byte[] labels = segment.labelMap().labels();
      for (int v = 0; v < voxels; v++) {
        owners[v] += labels[v];
      }
    }
    assertThat(java.util.Arrays.stream(owners).max().orElse(0)).isGreaterThan(1);
    assertThat(segments.stream().map(s -> s.labelMap().id()).distinct()).hasSize(5);
  }

  @Test
  void aSparseLabelMapSegmentationLeavesTheSkippedSliceEmptyAndHonoursPixelPadding()
      throws Exception {
    for (String name : List.of("sparse-labelmap-noppv.dcm", "sparse-labelmap-ppv5.dcm")) {
      List<Segmentations.Segment> segments = Segmentations.fromSeg(read(SEG.resolve(name)), null);
      assertThat(segments).extracting(Segmentations.Segment::label).containsExactly("Liver");
      LabelMap liver = segments.getFirst().labelMap();
      // frames at -177.75 and -172.75 mm with 2.5 mm between slices: three slices, the middle empty
      assertThat(liver.geometry().nz()).as(name).isEqualTo(3);
      assertThat(liver.geometry().sz()).isEqualTo(2.5);
      int plane = liver.geometry().nx() * liver.geometry().ny();
      long[] perSlice = new long[3];
      for (int v = 0; v < liver.labels().length; v++) {
        perSlice[v / plane] += liver.labels()[v];
      }
      assertThat(perSlice[0]).isPositive();
      assertThat(perSlice[1]).isZero();
      assertThat(perSlice[2]).isPositive();
    }
  }

  @Test
  void theSameSegImportedTwiceGivesTheSameIdsAndVoxels() throws Exception {
    LabelMap first =
        Segmentations.fromSeg(read(SEG.resolve("tiny_23x38x3/seg/label.seg")), null)
            .getFirst()
            .labelMap();
    LabelMap second =
        Segmentations.fromSeg(read(SEG.resolve("tiny_23x38x3/seg/label.seg")), null)
            .getFirst()
            .labelMap();
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.labels()).isEqualTo(first.labels());
    assertThat(first.geometry().nx()).isEqualTo(23);
    assertThat(first.geometry().ny()).isEqualTo(38);
  }

  @Test
  void anImageIsNotASegmentation() throws Exception {
    AttributeList ct = read(SEG.resolve("ct-3slice/01.dcm"));
    assertThatThrownBy(() -> Segmentations.fromSeg(ct, null))
        .hasFieldOrPropertyWithValue("code", "modeling:seg.not-a-segmentation");
    assertThatThrownBy(() -> Segmentations.fromRtStruct(ct, Segmentations.PlaneGrid.of(ct)))
        .hasFieldOrPropertyWithValue("code", "modeling:rtstruct.not-a-structure-set");
  }

  @Test
  void aSegWhosePixelDataIsShortIsRefused() throws Exception {
    AttributeList seg = read(SEG.resolve("liver.dcm"));
    byte[] pixels = seg.get(TagFromName.PixelData).getByteValues();
    seg.get(TagFromName.PixelData).setValues(java.util.Arrays.copyOf(pixels, pixels.length / 2));
    assertThatThrownBy(() -> Segmentations.fromSeg(seg, null))
        .hasFieldOrPropertyWithValue("code", "modeling:seg.pixel-data");
  }

  @Test
  void everyRoiOfTheStructureSetBecomesAMeshWithinOneGridStepOfItsContours() throws Exception {
    AttributeList rtss = read(RT.resolve("rtss.dcm"));
    Segmentations.PlaneGrid grid = Segmentations.PlaneGrid.of(read(RT.resolve("ct.0.dcm")));
    List<Segmentations.Segment> rois = Segmentations.fromRtStruct(rtss, grid);
    Map<Integer, double[]> bounds = contourBounds(rtss);
    assertThat(rois)
        .extracting(Segmentations.Segment::number)
        .containsExactlyElementsOf(bounds.keySet());
    assertThat(rois)
        .extracting(Segmentations.Segment::label)
        .contains("BODY", "Heart", "Lt Lung", "Tumor Bed");
    double[] step = {grid.columnStep(), grid.rowStep(), 3.0};
    for (Segmentations.Segment roi : rois) {
      assertThat(roi.frame())
          .isEqualTo(FrameOfReferenceUid.of("2.16.840.1.113662.2.12.0.3057.1241703565.36"));
      assertThat(roi.labelMap().geometry().sz())
          .isEqualTo(3.0, org.assertj.core.api.Assertions.within(1e-6));
      MeshReport report = Modeling.createSurface(roi.labelMap(), roi.frame()).report();
      assertThat(report.boundaryEdges()).as(roi.label()).isZero();
      double[] mesh = {
        report.minX(), report.minY(), report.minZ(), report.maxX(), report.maxY(), report.maxZ()
      };
      double[] contour = bounds.get(roi.number());
      for (int a = 0; a < 6; a++) {
        assertThat(Math.abs(mesh[a] - contour[a]))
            .as(roi.label() + " bound " + a + ": mesh " + mesh[a] + " contours " + contour[a])
            .isLessThanOrEqualTo(step[a % 3]);
      }
    }
  }

  @Test
  void aContourThatIsNotInAnImagePlaneIsRefused() throws Exception {
    AttributeList rtss = read(RT.resolve("rtss.dcm"));
    AttributeList contour =
        ((com.pixelmed.dicom.SequenceAttribute)
                ((com.pixelmed.dicom.SequenceAttribute)
                        rtss.get(new com.pixelmed.dicom.AttributeTag(0x3006, 0x0039)))
                    .getItem(0)
                    .getAttributeList()
                    .get(new com.pixelmed.dicom.AttributeTag(0x3006, 0x0040)))
            .getItem(0)
            .getAttributeList();
    Attribute data = contour.get(TagFromName.ContourData);
    double[] points = data.getDoubleValues();
    points[2] += 5;
    data.removeValues();
    for (double p : points) {
      data.addValue(p);
    }
    assertThatThrownBy(
            () ->
                Segmentations.fromRtStruct(
                    rtss, Segmentations.PlaneGrid.of(read(RT.resolve("ct.0.dcm")))))
        .hasFieldOrPropertyWithValue("code", "modeling:rtstruct.contour-not-planar");
  }

  /** ROI number to the box of its closed contours' points (min x, y, z, max x, y, z). */
  /** A volume of two voxels a side on the in-plane grid of {@code image}, for fromDicom. */
  private static org.anatwin.model.Volume volumeOn(Segmentations.PlaneGrid grid, String frame) {
    var geometry =
        new org.anatwin.model.VolumeGeometry(
            2,
            2,
            2,
            grid.columnStep(),
            grid.rowStep(),
            3.0,
            org.apache.commons.geometry.euclidean.threed.Vector3D.ZERO,
            grid.row(),
            grid.column(),
            grid.row().cross(grid.column()).normalize());
    return new org.anatwin.model.Volume(
        "volume-test",
        org.anatwin.model.SeriesInstanceUid.of("1.2.826.0.1.3680043.10.5"),
        FrameOfReferenceUid.of(frame),
        geometry,
        new short[8],
        List.of(
            new org.anatwin.model.SourceInstance(
                org.anatwin.model.SopInstanceUid.of("1.2.826.0.1.3680043.10.6"),
                org.anatwin.model.ContentHash.of(new byte[] {1}))),
        "test",
        "1",
        Map.of());
  }

  @Test
  void aStoredStructureSetIsRasterisedOnTheInPlaneGridOfTheVolumeItIsBuiltOn() throws Exception {
    Segmentations.PlaneGrid grid = Segmentations.PlaneGrid.of(read(RT.resolve("ct.0.dcm")));
    var volume = volumeOn(grid, "2.16.840.1.113662.2.12.0.3057.1241703565.36");
    List<Segmentations.Segment> viaVolume =
        Segmentations.fromDicom(java.nio.file.Files.readAllBytes(RT.resolve("rtss.dcm")), volume);
    List<Segmentations.Segment> direct =
        Segmentations.fromRtStruct(read(RT.resolve("rtss.dcm")), grid);
    assertThat(viaVolume).hasSize(9); // ten ROIs, one without contours
    assertThat(viaVolume)
        .extracting(segment -> segment.labelMap().contentHash())
        .containsExactlyElementsOf(
            direct.stream().map(segment -> segment.labelMap().contentHash()).toList());
  }

  @Test
  void anImageIsNeitherASegmentationNorAStructureSet() throws Exception {
    Segmentations.PlaneGrid grid = Segmentations.PlaneGrid.of(read(RT.resolve("ct.0.dcm")));
    byte[] image = java.nio.file.Files.readAllBytes(RT.resolve("ct.0.dcm"));
    var volume = volumeOn(grid, "2.16.840.1.113662.2.12.0.3057.1241703565.36");
    assertThatThrownBy(() -> Segmentations.fromDicom(image, volume))
        .isInstanceOfSatisfying(
            ModelingException.class,
            e -> assertThat(e.code()).isEqualTo("modeling:segmentation.sop-class"));
  }

  private static Map<Integer, double[]> contourBounds(AttributeList rtss) throws IOException {
    Map<Integer, double[]> bounds = new java.util.TreeMap<>();
    var rois =
        (com.pixelmed.dicom.SequenceAttribute)
            rtss.get(new com.pixelmed.dicom.AttributeTag(0x3006, 0x0039));
    for (int r = 0; r < rois.getNumberOfItems(); r++) {
      AttributeList roi = rois.getItem(r).getAttributeList();
      int number =
          Attribute.getSingleIntegerValueOrDefault(
              roi, new com.pixelmed.dicom.AttributeTag(0x3006, 0x0084), -1);
      var contours =
          (com.pixelmed.dicom.SequenceAttribute)
              roi.get(new com.pixelmed.dicom.AttributeTag(0x3006, 0x0040));
      for (int c = 0; contours != null && c < contours.getNumberOfItems(); c++) {
        AttributeList contour = contours.getItem(c).getAttributeList();
        if (!Attribute.getSingleStringValueOrEmptyString(
                contour, new com.pixelmed.dicom.AttributeTag(0x3006, 0x0042))
            .equals("CLOSED_PLANAR")) {
          continue;
        }
        double[] points = Attribute.getDoubleValues(contour, TagFromName.ContourData);
        double[] box =
            bounds.computeIfAbsent(
                number,
                n ->
                    new double[] {
                      Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE,
                      -Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE
                    });
        for (int p = 0; p < points.length; p++) {
          box[p % 3] = Math.min(box[p % 3], points[p]);
          box[3 + p % 3] = Math.max(box[3 + p % 3], points[p]);
        }
      }
    }
    return bounds;
  }
}

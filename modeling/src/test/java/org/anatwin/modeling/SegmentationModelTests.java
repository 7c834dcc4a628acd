package org.anatwin.modeling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.anatwin.model.ContentHash;
import org.anatwin.model.FrameOfReferenceUid;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.SopInstanceUid;
import org.anatwin.model.SourceInstance;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeGeometry;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped ONNX model through ONNX Runtime on synthetic CT: a noisy bony shell at the model's
 * spacing and at a spacing it must resample from, checked against the 300 HU threshold; and every
 * refusal (corrupt file, descriptor that does not fit the network, series the model was not made
 * for, malformed descriptor).
 */
class SegmentationModelTests {
  private static SegmentationModel model;

  @BeforeAll
  static void load() {
    model =
        SegmentationModel.load(
            SegmentationModel.bundledOnnx(), SegmentationModel.bundledDescriptor(), 2);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /** A skull-like shell (outer 30 mm, wall 2 to 6 mm) of 300 to 1400 HU in 40 HU tissue, noisy. */
  private static Volume shell(int nx, int ny, int nz, double sx, double sy, double sz) {
    VolumeGeometry g =
        new VolumeGeometry(
            nx,
            ny,
            nz,
            sx,
            sy,
            sz,
            Vector3D.of(-nx * sx / 2, -ny * sy / 2, -nz * sz / 2),
            Vector3D.Unit.PLUS_X,
            Vector3D.Unit.PLUS_Y,
            Vector3D.Unit.PLUS_Z);
    short[] hu = new short[nx * ny * nz];
    SplittableRandom noise = new SplittableRandom(7);
    for (int k = 0; k < nz; k++) {
      for (int j = 0; j < ny; j++) {
        for (int i = 0; i < nx; i++) {
          double x = (i - nx / 2.0) * sx;
          double y = (j - ny / 2.0) * sy;
          double z = (k - nz / 2.0) * sz;
          double r = Math.sqrt(x * x + y * y + z * z);
          double wall = 4 + 2 * Math.sin(Math.atan2(y, x) * 3);
          double value = r <= 30 && r >= 30 - wall ? 400 + 1000 * (30 - r) / wall : 40 - r;
          hu[i + nx * (j + ny * k)] = (short) Math.round(value + noise.nextGaussian() * 15);
        }
      }
    }
    return new Volume(
        "volume-shell-" + nx + "x" + ny + "x" + nz,
        SeriesInstanceUid.of("1.2.826.0.1.3680043.10.90"),
        FrameOfReferenceUid.of("1.2.826.0.1.3680043.10.91"),
        g,
        hu,
        List.of(
            new SourceInstance(
                SopInstanceUid.of("1.2.826.0.1.3680043.10.92"), ContentHash.of(new byte[0]))),
        "test",
        "1",
        Map.of());
  }

  @Test
  void theShippedModelFindsTheBoneTheThresholdFindsAndDoesSoIdenticallyTwice() {
    Volume volume = shell(140, 130, 70, 0.5, 0.5, 1.0);
    List<SegmentationModel.Segment> first = model.segment(volume, "CT", "HEAD");
    List<SegmentationModel.Segment> second = model.segment(volume, "CT", "HEAD");
    assertThat(first).hasSize(1);
    LabelMap bone = first.getFirst().labelMap();
    assertThat(first.getFirst().label().name()).isEqualTo("bone");
    LabelMap threshold = Modeling.createThresholdLabelMap(volume, 300, Short.MAX_VALUE);
    assertThat(LabelMaps.dice(bone, threshold)).isGreaterThanOrEqualTo(0.95);
    assertThat(second.getFirst().labelMap().labels()).isEqualTo(bone.labels());
    assertThat(second.getFirst().labelMap().contentHash()).isEqualTo(bone.contentHash());
    assertThat(bone.id()).isEqualTo(second.getFirst().labelMap().id());
    assertThat(bone.sourceId()).isEqualTo(volume.id());
    assertThat(bone.parameters())
        .containsEntry("model", "anatwin-bone@1")
        .containsEntry("modelSha256", ContentHash.of(SegmentationModel.bundledOnnx()).hex())
        .containsEntry("labelCode", "SCT 272673000 Bone structure")
        .containsEntry("resampledTo", "none (series spacing within tolerance)");
  }

  @Test
  void aSeriesOutsideTheModelsSpacingIsResampledForTheNetworkAndLabelledOnItsOwnGrid() {
    // 3 mm slices, 0.3 mm pixels: far outside a tolerance of zero around 0.5 x 0.5 x 1 mm
    Volume volume = shell(200, 200, 24, 0.3, 0.3, 3.0);
    String json =
        new String(SegmentationModel.bundledDescriptor(), StandardCharsets.UTF_8)
            .replace("\"spacingTolerance\": 1.5", "\"spacingTolerance\": 0");
    try (SegmentationModel strict =
        SegmentationModel.load(
            SegmentationModel.bundledOnnx(), json.getBytes(StandardCharsets.UTF_8), 2)) {
      LabelMap bone = strict.segment(volume, "CT", "HEAD").getFirst().labelMap();
      assertThat(bone.geometry()).isEqualTo(volume.geometry());
      assertThat(bone.parameters()).containsEntry("resampledTo", "0.5x0.5x1.0 mm");
      LabelMap threshold = Modeling.createThresholdLabelMap(volume, 300, Short.MAX_VALUE);
      // resampling to a coarser grid in-plane and back costs some boundary voxels, not the shape
      assertThat(LabelMaps.dice(bone, threshold)).isGreaterThanOrEqualTo(0.85);
      // the same network under another descriptor is another model: another label map id
      LabelMap shipped = model.segment(volume, "CT", "HEAD").getFirst().labelMap();
      assertThat(shipped.parameters().get("descriptorSha256"))
          .isNotEqualTo(bone.parameters().get("descriptorSha256"));
      assertThat(shipped.id()).isNotEqualTo(bone.id());
    }
  }

  @Test
  void aCorruptOnnxFileIsRefusedWhenLoaded() {
    byte[] onnx = SegmentationModel.bundledOnnx();
    byte[] descriptor = SegmentationModel.bundledDescriptor();
    byte[] truncated = Arrays.copyOf(onnx, onnx.length / 2);
    byte[] garbage = "this is not a network".getBytes(StandardCharsets.UTF_8);
    for (byte[] bad : List.of(truncated, garbage, new byte[0])) {
      assertThatThrownBy(() -> SegmentationModel.load(bad, descriptor, 1))
          .isInstanceOf(ModelingException.class)
          .hasFieldOrPropertyWithValue("code", "modeling:model.onnx");
    }
  }

  @Test
  void aDescriptorThatDoesNotFitTheNetworkIsRefusedWhenLoaded() {
    String json = new String(SegmentationModel.bundledDescriptor(), StandardCharsets.UTF_8);
    List<String> misfits =
        List.of(
            json.replace("\"patch\": [96, 96, 48]", "\"patch\": [64, 64, 32]"),
            json.replace("\"labels\": [", "\"labels\": [{\"value\": 2, \"name\": \"teeth\"},"),
            json.replace("\"input\": \"image\"", "\"input\": \"ct\""),
            json.replace("\"output\": \"logits\"", "\"output\": \"probabilities\""));
    for (String misfit : misfits) {
      byte[] descriptor = misfit.getBytes(StandardCharsets.UTF_8);
      assertThatThrownBy(
              () -> SegmentationModel.load(SegmentationModel.bundledOnnx(), descriptor, 1))
          .as(misfit)
          .isInstanceOf(ModelingException.class)
          .hasFieldOrPropertyWithValue("code", "modeling:model.shape");
    }
  }

  @Test
  void aSeriesTheModelWasNotMadeForIsRefusedBeforeInference() {
    Volume ct = shell(40, 40, 10, 0.5, 0.5, 1.0);
    assertThatThrownBy(() -> model.segment(ct, "MR", "HEAD"))
        .hasFieldOrPropertyWithValue("code", "modeling:model.modality");
    Volume thin = shell(40, 40, 2, 0.5, 0.5, 1.0);
    assertThatThrownBy(() -> model.segment(thin, "CT", "HEAD"))
        .hasFieldOrPropertyWithValue("code", "modeling:model.dimensions");
    VolumeGeometry g = ct.geometry();
    VolumeGeometry sagittal =
        new VolumeGeometry(
            g.nx(),
            g.ny(),
            g.nz(),
            g.sx(),
            g.sy(),
            g.sz(),
            g.origin(),
            Vector3D.Unit.PLUS_Y,
            Vector3D.Unit.MINUS_Z,
            Vector3D.Unit.PLUS_X);
    assertThatThrownBy(() -> model.requireSuited(sagittal, "CT", "HEAD"))
        .hasFieldOrPropertyWithValue("code", "modeling:model.orientation");
    String json =
        new String(SegmentationModel.bundledDescriptor(), StandardCharsets.UTF_8)
            .replace("\"bodyParts\": []", "\"bodyParts\": [\"knee\"]");
    try (SegmentationModel knee =
        SegmentationModel.load(
            SegmentationModel.bundledOnnx(), json.getBytes(StandardCharsets.UTF_8), 1)) {
      assertThatThrownBy(() -> knee.segment(ct, "CT", "HEAD"))
          .hasFieldOrPropertyWithValue("code", "modeling:model.body-part");
      assertThat(knee.descriptor().bodyParts()).containsExactly("KNEE");
    }
  }

  @Test
  void aMalformedDescriptorIsRefusedWithItsCode() {
    String json = new String(SegmentationModel.bundledDescriptor(), StandardCharsets.UTF_8);
    List<String> malformed =
        List.of(
            "{not json",
            "[1, 2]",
            json.replace("\"name\": \"anatwin-bone\",", ""),
            json.replace("\"name\": \"anatwin-bone\"", "\"name\": \"Bone Model\""),
            json.replace("\"spacing\": [0.5, 0.5, 1.0]", "\"spacing\": [0.5, 0.5]"),
            json.replace("\"spacing\": [0.5, 0.5, 1.0]", "\"spacing\": [0.5, 0, 1.0]"),
            json.replace("\"overlap\": 0.125", "\"overlap\": 1.0"),
            json.replace("\"value\": 1,", "\"value\": 2,"),
            json.replace("\"lower\": -1024", "\"lower\": 4000"),
            json.replace("\"patch\": [96, 96, 48]", "\"patch\": [96.5, 96, 48]"));
    for (String bad : malformed) {
      assertThatThrownBy(() -> ModelDescriptor.parse(bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad)
          .isInstanceOf(ModelingException.class)
          .hasFieldOrPropertyWithValue("code", "modeling:model.descriptor");
    }
  }
}

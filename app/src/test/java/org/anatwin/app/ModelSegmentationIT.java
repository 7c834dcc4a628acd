package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Volume;
import org.anatwin.modeling.LabelMap;
import org.anatwin.modeling.LabelMaps;
import org.anatwin.modeling.Modeling;
import org.anatwin.modeling.SegmentationModel;
import org.junit.jupiter.api.Test;

/**
 * The shipped model on the real skull phantom of {@code ../shared/data} (512 x 512 x 140), through
 * the service's own series assembly and ONNX Runtime: Dice >= 0.95 against the 300 HU threshold
 * label the service builds versions from, and the same label map twice.
 */
class ModelSegmentationIT {
  @Test
  void theShippedModelSegmentsTheRealSkullLikeTheBoneThresholdAndDeterministically()
      throws Exception {
    Path folder =
        SharedData.extract(
            "ct-skull-phantom-study1-bone-1mm.tar.xz", ServiceIT.tempDir("anatwin-it-onnx"));
    Volume volume = Ingest.volumeFromFolder(folder);
    try (SegmentationModel model =
        SegmentationModel.load(
            SegmentationModel.bundledOnnx(), SegmentationModel.bundledDescriptor(), 2)) {
      long began = System.nanoTime();
      List<SegmentationModel.Segment> first = model.segment(volume, "CT", "BRAIN");
      long seconds = (System.nanoTime() - began) / 1_000_000_000L;
      List<SegmentationModel.Segment> second = model.segment(volume, "CT", "BRAIN");

      assertThat(first).hasSize(1);
      LabelMap bone = first.getFirst().labelMap();
      LabelMap threshold = Modeling.createThresholdLabelMap(volume, 300, Short.MAX_VALUE);
      double dice = LabelMaps.dice(bone, threshold);
      System.out.printf(
          Locale.ROOT,
          "anatwin-bone@1 on the real phantom: Dice %.4f against 300 HU, %d bone voxels, %d s%n",
          dice,
          bone.labelledVoxels(),
          seconds);
      assertThat(dice).isGreaterThanOrEqualTo(0.95);
      assertThat(second.getFirst().labelMap().labels()).isEqualTo(bone.labels());
      assertThat(second.getFirst().labelMap().contentHash()).isEqualTo(bone.contentHash());
    }
  }
}

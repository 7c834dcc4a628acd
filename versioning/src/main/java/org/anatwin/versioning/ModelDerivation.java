package org.anatwin.versioning;

import java.util.Map;
import org.anatwin.model.ContentHash;
import org.anatwin.model.Derivation;
import org.anatwin.model.Volume;
import org.anatwin.modeling.LabelMap;
import org.anatwin.modeling.SegmentationModel;
import org.anatwin.storage.Storage;

/**
 * Re-runs a segmentation model's label map for a reproduction: the network and descriptor are
 * loaded from the blobs whose hashes the model entity records (not from whatever is registered
 * under its name today), with the recorded thread count, on the re-derived volume; the label map of
 * the recorded label is hashed as it was when stored.
 */
public final class ModelDerivation implements Derivation {
  private final Storage storage;

  public ModelDerivation(Storage storage) {
    this.storage = storage;
  }

  @Override
  public boolean reruns(String algorithm, String version) {
    return algorithm.equals(SegmentationModel.ALGORITHM)
        && version.equals(SegmentationModel.ALGORITHM_VERSION);
  }

  @Override
  public Map<String, Output> rerun(Recorded activity, Inputs inputs) {
    Volume volume = null;
    Map<String, String> model = null;
    for (String used : activity.used()) {
      if (inputs.value(used) instanceof Volume v) {
        volume = v;
      } else if (inputs.kind(used).equals("SegmentationModel")) {
        model = inputs.properties(used);
      }
    }
    if (volume == null || model == null) {
      throw new VersioningException(
          "versioning:derivation.input",
          "activity " + activity.id() + " used no re-derived volume or no registered model");
    }
    int threads;
    try {
      threads = Integer.parseInt(activity.parameter("threads"));
    } catch (NumberFormatException e) {
      throw new VersioningException(
          "versioning:derivation.parameter", "activity " + activity.id() + " recorded no threads");
    }
    String label = activity.parameter("label");
    try (SegmentationModel network =
        SegmentationModel.load(
            blob(model, "onnxSha256"), blob(model, "descriptorSha256"), threads)) {
      for (SegmentationModel.Segment segment :
          network.segment(volume, activity.parameter("modality"), activity.parameter("bodyPart"))) {
        LabelMap labels = segment.labelMap();
        if (labels.parameters().get("label").equals(label)) {
          return Map.of(
              activity.generated().getFirst(),
              new Output(Map.of("sha256", labels.contentHash().hex()), labels));
        }
      }
    }
    throw new VersioningException(
        "versioning:derivation.label",
        "the model found no voxel of label " + label + " on re-running it");
  }

  private byte[] blob(Map<String, String> model, String property) {
    String hash = model.get(property);
    if (hash == null) {
      throw new VersioningException(
          "versioning:derivation.input", "the model entity records no " + property);
    }
    return storage.blobs().get(ContentHash.parse(hash));
  }
}

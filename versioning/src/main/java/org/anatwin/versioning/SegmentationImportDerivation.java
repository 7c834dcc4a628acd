package org.anatwin.versioning;

import java.util.Map;
import org.anatwin.model.ContentHash;
import org.anatwin.model.Derivation;
import org.anatwin.model.Volume;
import org.anatwin.modeling.LabelMap;
import org.anatwin.modeling.Segmentations;
import org.anatwin.storage.Storage;

/**
 * Re-runs the import of one segment of a DICOM Segmentation (or one ROI of an RT Structure Set)
 * into a label map: the object read back from the blob its instance records, read onto the
 * re-derived volume, the segment the recorded parameters name taken; its label map's hash is
 * compared with the recorded one.
 */
public final class SegmentationImportDerivation implements Derivation {
  private final Storage storage;

  public SegmentationImportDerivation(Storage storage) {
    this.storage = storage;
  }

  @Override
  public boolean reruns(String algorithm, String version) {
    return (algorithm.equals(Segmentations.SEG_IMPORT)
            && version.equals(Segmentations.SEG_IMPORT_VERSION))
        || (algorithm.equals(Segmentations.RTSTRUCT_IMPORT)
            && version.equals(Segmentations.RTSTRUCT_IMPORT_VERSION));
  }

  @Override
  public Map<String, Output> rerun(Recorded activity, Inputs inputs) {
    Volume volume = null;
    byte[] object = null;
    for (String used : activity.used()) {
      if (inputs.value(used) instanceof Volume v) {
        volume = v;
      } else if (inputs.kind(used).equals("Instance")) {
        String sha256 = inputs.properties(used).get("sha256");
        if (sha256 != null) {
          object = storage.blobs().get(ContentHash.parse(sha256));
        }
      }
    }
    if (volume == null || object == null) {
      throw new VersioningException(
          "versioning:derivation.input",
          "activity " + activity.id() + " used no re-derived volume or no stored segmentation");
    }
    for (Segmentations.Segment segment : Segmentations.fromDicom(object, volume)) {
      LabelMap labels = segment.labelMap();
      if (labels.algorithm().equals(activity.algorithm())
          && labels.parameters().equals(activity.parameters())) {
        return Map.of(
            activity.generated().getFirst(),
            new Output(Map.of("sha256", labels.contentHash().hex()), labels));
      }
    }
    throw new VersioningException(
        "versioning:derivation.parameter",
        "the segmentation read again has no segment made with " + activity.parameters());
  }
}

package org.anatwin.modeling;

import java.util.Map;
import org.anatwin.model.VolumeGeometry;

/**
 * A segmentation on the grid of its source volume: one byte per voxel, 0 for background and the
 * label value elsewhere. {@code id} is derived from the source volume, algorithm, version and
 * parameters.
 */
public record LabelMap(
    String id,
    String sourceVolumeId,
    VolumeGeometry geometry,
    byte[] labels,
    String algorithm,
    String algorithmVersion,
    Map<String, String> parameters,
    long labelledVoxels) {

  public LabelMap {
    if (labels.length != geometry.voxelCount()) {
      throw new IllegalArgumentException(
          "label count " + labels.length + " does not match " + geometry);
    }
    parameters = Map.copyOf(parameters);
  }
}

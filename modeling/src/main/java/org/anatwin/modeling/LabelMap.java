package org.anatwin.modeling;

import java.util.Map;
import org.anatwin.model.ContentHash;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeGeometry;

/**
 * A segmentation on the grid of its source volume: one byte per voxel, 0 for background and the
 * label value elsewhere. {@code sourceId} names what it was made from (a volume, another label map,
 * a DICOM SEG or RT Structure Set); {@code id} is derived from that source, algorithm, version and
 * parameters.
 */
public record LabelMap(
    String id,
    String sourceId,
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

  /** The SHA-256 of the grid and the labels (see {@link Volume#gridHash}). */
  public ContentHash contentHash() {
    return Volume.gridHash(geometry, 1, (buffer, from, to) -> buffer.put(labels, from, to - from));
  }
}

package org.anatwin.model;

import java.util.List;
import java.util.Map;

/**
 * A CT or MR series assembled on a regular grid in patient coordinates. Voxels hold Hounsfield
 * units (or rescaled values for MR) as {@code short}, {@code x} fastest: index {@code i + nx*(j +
 * ny*k)}. Built by ingest from the instances listed in {@code sources}; its {@code id} is derived
 * from those instances' dataset hashes, the assembling algorithm and its parameters (which record,
 * for example, a gantry-tilt correction).
 */
public record Volume(
    String id,
    SeriesInstanceUid series,
    FrameOfReferenceUid frameOfReference,
    VolumeGeometry geometry,
    short[] voxels,
    List<SourceInstance> sources,
    String algorithm,
    String algorithmVersion,
    Map<String, String> parameters) {

  public Volume {
    if (voxels.length != geometry.voxelCount()) {
      throw ModelException.invalid("volume-voxels", voxels.length + " for " + geometry);
    }
    if (sources.isEmpty()) {
      throw ModelException.invalid("volume-sources", "none");
    }
    sources = List.copyOf(sources);
    parameters = Map.copyOf(parameters);
  }

  /** The value at voxel (i, j, k). */
  public short at(int i, int j, int k) {
    return voxels[i + geometry.nx() * (j + geometry.ny() * k)];
  }
}

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

  /**
   * The SHA-256 of the grid (dimensions, spacing, origin and directions as text) and the voxels
   * (little-endian): equal for two volumes exactly when they hold the same values at the same
   * places.
   */
  public ContentHash contentHash() {
    return gridHash(
        geometry,
        2,
        (buffer, from, to) -> {
          for (int i = from; i < to; i++) {
            buffer.putShort(voxels[i]);
          }
        });
  }

  /** Writes the values of voxels {@code [from, to)} into {@code buffer}, little-endian. */
  @FunctionalInterface
  public interface Values {
    void write(java.nio.ByteBuffer buffer, int from, int to);
  }

  /**
   * The hash of a grid and its values, {@code bytesPerVoxel} each, written a chunk at a time
   * (shared by volumes and label maps).
   */
  public static ContentHash gridHash(VolumeGeometry g, int bytesPerVoxel, Values values) {
    int count = Math.toIntExact(g.voxelCount());
    java.security.MessageDigest digest = ContentHash.newDigest();
    String grid =
        String.join(
            " ",
            "grid/v1",
            Integer.toString(g.nx()),
            Integer.toString(g.ny()),
            Integer.toString(g.nz()),
            Double.toString(g.sx()),
            Double.toString(g.sy()),
            Double.toString(g.sz()),
            g.origin().toString(),
            g.row().toString(),
            g.column().toString(),
            g.slice().toString(),
            Integer.toString(bytesPerVoxel));
    digest.update(grid.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    java.nio.ByteBuffer buffer =
        java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int step = (1 << 16) / bytesPerVoxel;
    for (int from = 0; from < count; from += step) {
      int to = Math.min(count, from + step);
      buffer.clear();
      values.write(buffer, from, to);
      buffer.flip();
      digest.update(buffer);
    }
    return new ContentHash(java.util.HexFormat.of().formatHex(digest.digest()));
  }

  /** The value at voxel (i, j, k). */
  public short at(int i, int j, int k) {
    return voxels[i + geometry.nx() * (j + geometry.ny() * k)];
  }
}

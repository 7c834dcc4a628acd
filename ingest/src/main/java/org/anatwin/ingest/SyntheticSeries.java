package org.anatwin.ingest;

import java.nio.file.Path;
import java.util.List;
import org.anatwin.ingest.internal.SyntheticPhantom;

/**
 * An axial synthetic CT series to write as real DICOM files (CT Image Storage, explicit VR little
 * endian, HU + 1024 stored with Rescale Intercept -1024): for demos, tests and benchmarks. UIDs are
 * derived from {@code name}, so the same series is written with the same UIDs every time.
 */
public record SyntheticSeries(
    String name,
    int seriesNumber,
    int columns,
    int rows,
    double pixelMm,
    int slices,
    double stepMm,
    double x0,
    double y0,
    double z0) {

  /** The value in HU at a point in patient coordinates (mm). */
  @FunctionalInterface
  public interface Hu {
    double at(double x, double y, double z);
  }

  /** Writes the series into {@code dir} and returns its files in slice order. */
  public List<Path> write(Path dir, Hu hu) {
    return SyntheticPhantom.writeSeries(
        1, dir, name, seriesNumber, columns, rows, pixelMm, slices, stepMm, x0, y0, z0, hu::at);
  }
}

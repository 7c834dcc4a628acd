package org.anatwin.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.anatwin.model.ContentHash;
import org.anatwin.model.FrameOfReferenceUid;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.SopInstanceUid;
import org.anatwin.model.SourceInstance;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeGeometry;
import org.apache.commons.geometry.euclidean.threed.Vector3D;

/**
 * Entry point: {@code Benchmarks NAME [runs] [-Dsetting=value ...]}; the settings (e.g. {@code
 * -Danatwin.bench.clients=4}) become system properties before the benchmark starts.
 */
public final class Benchmarks {
  private Benchmarks() {}

  public static void main(String[] given) throws Exception {
    List<String> positional = new java.util.ArrayList<>();
    for (String arg : given) {
      int eq = arg.indexOf('=');
      if (arg.startsWith("-D") && eq > 2) {
        System.setProperty(arg.substring(2, eq), arg.substring(eq + 1));
      } else {
        positional.add(arg);
      }
    }
    String[] args = positional.toArray(String[]::new);
    String name = args.length > 0 ? args[0] : "";
    int runs = args.length > 1 && !name.equals("segment-child") ? Integer.parseInt(args[1]) : 5;
    switch (name) {
      case "ingest" -> new IngestBench(runs).run();
      case "meshing" -> new MeshingBench(runs).run();
      case "icp" -> new IcpBench(runs).run();
      case "lineage" -> new LineageBench(runs).run();
      case "api" -> new ApiBench(runs).run();
      case "segment" -> new SegmentBench(runs).run();
      case "segment-child" -> SegmentBench.child(args);
      default -> {
        System.err.println(
            "benchmarks: ingest, meshing, icp, lineage, api, segment   (usage: ./anatwin bench NAME [RUNS]; got "
                + Arrays.toString(args)
                + ")");
        System.exit(2);
      }
    }
  }

  /** The p-th percentile (nearest rank) of at least one value. */
  static double percentile(double[] values, int p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  /**
   * A volume read from a raw file (signed 16-bit, little-endian, x fastest) on an axial grid at the
   * origin, for benchmarks that feed the same file to a peer.
   */
  static Volume rawVolume(Path raw, int nx, int ny, int nz, double[] spacing, String id)
      throws IOException {
    short[] voxels = new short[nx * ny * nz];
    ByteBuffer.wrap(Files.readAllBytes(raw))
        .order(ByteOrder.LITTLE_ENDIAN)
        .asShortBuffer()
        .get(voxels);
    var origin = Vector3D.ZERO;
    return new Volume(
        id,
        SeriesInstanceUid.of("1.2.826.0.1.3680043.10.3000"),
        FrameOfReferenceUid.of("1.2.826.0.1.3680043.10.3001"),
        new VolumeGeometry(
            nx,
            ny,
            nz,
            spacing[0],
            spacing[1],
            spacing[2],
            origin,
            Vector3D.Unit.PLUS_X,
            Vector3D.Unit.PLUS_Y,
            Vector3D.Unit.PLUS_Z),
        voxels,
        List.of(
            new SourceInstance(
                SopInstanceUid.of("1.2.826.0.1.3680043.10.3002"), ContentHash.of(new byte[0]))),
        "bench.raw-volume",
        raw.getFileName().toString(),
        Map.of());
  }

  /** This process's peak resident memory (VmHWM), MiB. */
  static long peakRssMiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
      }
    }
    return -1;
  }

  /** The median of at least one value. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}

package org.anatwin.bench;

import java.util.Arrays;

/** Entry point: {@code Benchmarks NAME [runs]}. */
public final class Benchmarks {
  private Benchmarks() {}

  public static void main(String[] args) throws Exception {
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

  /** This process's peak resident memory (VmHWM), MiB. */
  static long peakRssMiB() throws java.io.IOException {
    for (String line :
        java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
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

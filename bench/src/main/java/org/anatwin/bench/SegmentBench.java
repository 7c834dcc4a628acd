package org.anatwin.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeGeometry;
import org.anatwin.modeling.LabelMap;
import org.anatwin.modeling.SegmentationModel;

/**
 * Model-based segmentation: the shipped network ({@code anatwin-bone@1}) on the real skull phantom
 * (512 x 512 x 140) and on the synthetic CT of the meshing benchmark (512 x 512 x 400), our
 * inference (ONNX Runtime, sliding windows with Gaussian blending, 2 threads) against PyTorch
 * running the same ONNX weights over the whole volume at once (2 threads), rounds interleaved. Each
 * side runs in a fresh process per round and times only inference (after loading); each reports its
 * peak resident memory. Metric: voxels per second (higher is better, so the ratio ours / peer above
 * 1 is ours faster). Lines: phantom, then synthetic last.
 */
final class SegmentBench {
  private static final int THREADS = 2;
  private final int runs;
  private final PeerScripts scripts;
  private final Path work;

  SegmentBench(int runs) throws IOException {
    this.runs = Math.max(5, runs);
    this.scripts = new PeerScripts();
    this.work = scripts.work;
  }

  /** One volume as the processes read it. */
  private record Input(String name, Path raw, int nx, int ny, int nz, double[] spacing) {
    long voxels() {
      return (long) nx * ny * nz;
    }
  }

  void run() throws Exception {
    Path model = work.resolve("anatwin-bone-1.onnx");
    Files.write(model, SegmentationModel.bundledOnnx());
    Path peer = work.resolve("torch_segment.py");
    try (InputStream in = SegmentBench.class.getResourceAsStream("torch_segment.py")) {
      Files.write(peer, in.readAllBytes());
    }
    List<Input> inputs = List.of(phantom(), synthetic());
    for (Input input : inputs) {
      double[] ours = new double[runs];
      double[] theirs = new double[runs];
      long oursRss = 0;
      long peerRss = 0;
      for (int r = 0; r < runs; r++) {
        String o = child(ourCommand(input));
        String p =
            child(
                List.of(
                    "/usr/bin/python3",
                    peer.toString(),
                    model.toString(),
                    input.raw().toString(),
                    Integer.toString(input.nx()),
                    Integer.toString(input.ny()),
                    Integer.toString(input.nz()),
                    "-1024",
                    "3071",
                    Integer.toString(THREADS)));
        ours[r] = input.voxels() / PeerScripts.last(o, "\"seconds\"");
        theirs[r] = input.voxels() / PeerScripts.last(p, "\"seconds\"");
        oursRss = Math.max(oursRss, (long) PeerScripts.last(o, "\"peak_rss_mib\""));
        peerRss = Math.max(peerRss, (long) PeerScripts.last(p, "\"peak_rss_mib\""));
        System.err.printf(
            Locale.ROOT,
            "%s round %d: ours %.1f s (%.0f bone voxels), pytorch %.1f s (%.0f bone voxels before"
                + " keep-largest)%n",
            input.name(),
            r + 1,
            input.voxels() / ours[r],
            PeerScripts.last(o, "\"bone\""),
            input.voxels() / theirs[r],
            PeerScripts.last(p, "\"bone\""));
      }
      System.err.printf(
          Locale.ROOT,
          "%s: %d voxels; peak resident memory ours %d MiB (whole JVM with the volume), pytorch %d"
              + " MiB%n",
          input.name(),
          input.voxels(),
          oursRss,
          peerRss);
      double o = Benchmarks.median(ours);
      double p = Benchmarks.median(theirs);
      System.out.printf(
          Locale.ROOT,
          "{\"bench\":\"%s\",\"metric\":\"voxels_per_second\",\"ours\":%.0f,\"peer\":\"pytorch-whole-volume\",\"peer_value\":%.0f,\"ratio\":%.3f,\"target\":1.0,\"runs\":%d}%n",
          input.name().equals("phantom") ? "segment-phantom" : "segment",
          o,
          p,
          o / p,
          runs);
    }
  }

  private List<String> ourCommand(Input input) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // started with -jar: the class path is the benchmark jar
    String jar = System.getProperty("java.class.path");
    List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
    command.add("-Xmx8g");
    command.addAll(
        List.of(
            "-jar",
            jar,
            "segment-child",
            input.raw().toString(),
            Integer.toString(input.nx()),
            Integer.toString(input.ny()),
            Integer.toString(input.nz()),
            Double.toString(input.spacing()[0]),
            Double.toString(input.spacing()[1]),
            Double.toString(input.spacing()[2])));
    return command;
  }

  /**
   * {@code segment-child RAW NX NY NZ SX SY SZ}: loads the volume and the shipped model, segments
   * once, prints {@code {"seconds":..,"peak_rss_mib":..,"bone":..}}.
   */
  static void child(String[] args) throws IOException {
    int nx = Integer.parseInt(args[2]);
    int ny = Integer.parseInt(args[3]);
    int nz = Integer.parseInt(args[4]);
    double[] spacing = {
      Double.parseDouble(args[5]), Double.parseDouble(args[6]), Double.parseDouble(args[7])
    };
    Volume volume =
        Benchmarks.rawVolume(Path.of(args[1]), nx, ny, nz, spacing, "volume-segment-bench");
    try (SegmentationModel model =
        SegmentationModel.load(
            SegmentationModel.bundledOnnx(), SegmentationModel.bundledDescriptor(), THREADS)) {
      long began = System.nanoTime();
      LabelMap bone = model.segment(volume, "CT", "").getFirst().labelMap();
      double seconds = (System.nanoTime() - began) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "{\"seconds\":%.3f,\"peak_rss_mib\":%d,\"bone\":%d}%n",
          seconds,
          Benchmarks.peakRssMiB(),
          bone.labelledVoxels());
    }
  }

  private String child(List<String> command) throws Exception {
    Process process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .directory(work.toFile())
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException("failed: " + command + "\n" + out);
    }
    return out;
  }

  /** The real phantom, assembled by the service's code, written raw for both sides. */
  private Input phantom() throws Exception {
    Path folder = Files.createDirectories(work.resolve("segment-phantom"));
    Path raw = work.resolve("segment-phantom.raw");
    Path archive =
        Path.of(System.getProperty("anatwin.shared", "../shared"))
            .resolve("data")
            .resolve("ct-skull-phantom-study1-bone-1mm.tar.xz");
    Process tar =
        new ProcessBuilder("tar", "-xJf", archive.toString(), "-C", folder.toString())
            .inheritIO()
            .start();
    if (!tar.waitFor(5, TimeUnit.MINUTES) || tar.exitValue() != 0) {
      throw new IOException("tar failed on " + archive);
    }
    Volume v = Ingest.volumeFromFolder(folder);
    ByteBuffer bytes = ByteBuffer.allocate(v.voxels().length * 2).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asShortBuffer().put(v.voxels());
    Files.write(raw, bytes.array());
    VolumeGeometry g = v.geometry();
    return new Input("phantom", raw, g.nx(), g.ny(), g.nz(), new double[] {g.sx(), g.sy(), g.sz()});
  }

  /** The meshing benchmark's synthetic CT (VTK's generator, seed 42). */
  private Input synthetic() throws Exception {
    Path data = scripts.inputs();
    String inputs = Files.readString(data.resolve("inputs.json"));
    double[] dims = PeerScripts.numbers(inputs, "\"dims_xyz\"");
    double[] spacing = PeerScripts.numbers(inputs, "\"spacing_mm\"");
    return new Input(
        "synthetic", data.resolve("ct.raw"), (int) dims[0], (int) dims[1], (int) dims[2], spacing);
  }
}

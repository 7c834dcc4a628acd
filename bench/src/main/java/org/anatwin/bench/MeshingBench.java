package org.anatwin.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.anatwin.model.Volume;
import org.anatwin.modeling.Modeling;
import org.anatwin.modeling.Surface;

/**
 * Meshing: the synthetic CT of {@code ../shared/bench/peers/vtk_bench.py} (512x512x400 by default,
 * {@code -Danatwin.bench.size=small} for 256x256x200), our chain (iso-surface with the largest
 * object kept, 20 windowed-sinc iterations, decimation to 10 %, binary STL) against VTK's Python
 * chain (flying edges, windowed sinc, quadric decimation, largest region, STL writer; each stage in
 * a fresh process, only its update timed, as the peer script does), rounds interleaved. Our side is
 * timed in this JVM from the loaded volume to the written file. Lines: iso-surface, decimation,
 * then the whole chain last.
 */
final class MeshingBench {
  private static final String SIZE = PeerScripts.SIZE;
  private final int runs;
  private final PeerScripts scripts;
  private final Path work;

  MeshingBench(int runs) throws IOException {
    this.runs = Math.max(5, runs);
    this.scripts = new PeerScripts();
    this.work = scripts.work;
  }

  void run() throws Exception {
    Path data = scripts.inputs();
    String inputs = Files.readString(data.resolve("inputs.json"));
    double[] dims = PeerScripts.numbers(inputs, "\"dims_xyz\"");
    double[] spacing = PeerScripts.numbers(inputs, "\"spacing_mm\"");
    double iso = PeerScripts.numbers(inputs, "\"iso_hu\"")[0];
    Volume volume =
        Benchmarks.rawVolume(
            data.resolve("ct.raw"),
            (int) dims[0],
            (int) dims[1],
            (int) dims[2],
            spacing,
            "volume-bench-" + SIZE);
    double[] oursIso = new double[runs];
    double[] oursDecimation = new double[runs];
    double[] oursChain = new double[runs];
    double[] vtkFe = new double[runs];
    double[] vtkDecimation = new double[runs];
    double[] vtkChain = new double[runs];
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      Surface plain = Modeling.createIsoSurface(volume, iso, 0);
      oursIso[r] = (System.nanoTime() - t0) / 1e9;
      int isoTriangles = plain.report().triangles();
      plain = null;

      long c0 = System.nanoTime();
      Surface smooth = Modeling.createIsoSurface(volume, iso, 20);
      long c1 = System.nanoTime();
      Surface decimated = Modeling.decimate(smooth, 0.1, 1e6);
      long c2 = System.nanoTime();
      Files.write(work.resolve("ours.stl"), Modeling.toStl(decimated.mesh()));
      long c3 = System.nanoTime();
      oursDecimation[r] = (c2 - c1) / 1e9;
      oursChain[r] = (c3 - c0) / 1e9;

      Map<String, Double> vtk = new java.util.HashMap<>();
      for (String stage : List.of("fe", "sinc", "qdec", "conn", "stl")) {
        vtk.put(stage, PeerScripts.last(scripts.run("vtk_bench.py", "stage", stage), "\"wall_s\""));
      }
      vtkFe[r] = vtk.get("fe");
      vtkDecimation[r] = vtk.get("qdec");
      vtkChain[r] = vtk.values().stream().mapToDouble(Double::doubleValue).sum();
      System.err.printf(
          Locale.ROOT,
          "round %d: iso ours %.2f s (%d triangles) vtk fe %.2f s; decimation ours %.2f s (%d triangles) vtk qdec %.2f s; chain ours %.2f s vtk %.2f s%n",
          r + 1,
          oursIso[r],
          isoTriangles,
          vtkFe[r],
          oursDecimation[r],
          decimated.report().triangles(),
          vtkDecimation[r],
          oursChain[r],
          vtkChain[r]);
    }
    System.err.printf(Locale.ROOT, "our peak resident memory: %d MiB%n", Benchmarks.peakRssMiB());
    line("meshing-iso", "iso_surface_s", oursIso, "vtk-flying-edges", vtkFe, 1.3);
    line("meshing-decimation", "decimation_s", oursDecimation, "vtk-quadric", vtkDecimation, 0.2);
    line("meshing", "chain_s", oursChain, "vtk", vtkChain, 0.4);
  }

  private void line(
      String bench, String metric, double[] ours, String peer, double[] theirs, double target) {
    double o = Benchmarks.median(ours);
    double p = Benchmarks.median(theirs);
    System.out.printf(
        Locale.ROOT,
        "{\"bench\":\"%s\",\"metric\":\"%s\",\"ours\":%.3f,\"peer\":\"%s\",\"peer_value\":%.3f,\"ratio\":%.3f,\"target\":%.1f,\"runs\":%d}%n",
        bench,
        metric,
        o,
        peer,
        p,
        o / p,
        target,
        runs);
  }
}

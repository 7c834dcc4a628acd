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
 * timed in this JVM from the loaded volume to the written file. Lines: iso-surface (ours: {@link
 * Modeling#extractIsoSurface}, every object, as VTK's flying edges; the same triangles), the
 * largest object's iso-surface with its repairs and QA report ({@link Modeling#createIsoSurface},
 * against flying edges plus VTK's largest-region filter, which make no report; no target),
 * decimation, then the whole chain last.
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
    if (Boolean.getBoolean("anatwin.bench.quality-only")) {
      decimationQuality(scripts.inputs());
      return;
    }
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
    double[] oursIsoQa = new double[runs];
    double[] vtkFeConn = new double[runs];
    double[] oursDecimation = new double[runs];
    double[] oursChain = new double[runs];
    double[] vtkFe = new double[runs];
    double[] vtkDecimation = new double[runs];
    double[] vtkChain = new double[runs];
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      int isoTriangles = Modeling.extractIsoSurface(volume, iso).triangleCount();
      oursIso[r] = (System.nanoTime() - t0) / 1e9;

      long q0 = System.nanoTime();
      Surface plain = Modeling.createIsoSurface(volume, iso, 0);
      oursIsoQa[r] = (System.nanoTime() - q0) / 1e9;
      int objectTriangles = plain.report().triangles();
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
      vtkFeConn[r] = vtk.get("fe") + vtk.get("conn");
      vtkChain[r] = vtk.values().stream().mapToDouble(Double::doubleValue).sum();
      System.err.printf(
          Locale.ROOT,
          "round %d: iso ours %.3f s (%d triangles) vtk fe %.3f s; largest object with QA ours %.2f s (%d triangles) vtk fe+conn %.2f s; decimation ours %.2f s (%d triangles) vtk qdec %.2f s; chain ours %.2f s vtk %.2f s%n",
          r + 1,
          oursIso[r],
          isoTriangles,
          vtkFe[r],
          oursIsoQa[r],
          objectTriangles,
          vtkFeConn[r],
          oursDecimation[r],
          decimated.report().triangles(),
          vtkDecimation[r],
          oursChain[r],
          vtkChain[r]);
    }
    System.err.printf(Locale.ROOT, "our peak resident memory: %d MiB%n", Benchmarks.peakRssMiB());
    line("meshing-iso", "iso_surface_s", oursIso, "vtk-flying-edges", vtkFe, 1.3);
    line(
        "meshing-iso-largest-object-qa",
        "iso_surface_with_qa_s",
        oursIsoQa,
        "vtk-flying-edges-plus-largest-region",
        vtkFeConn,
        null);
    line("meshing-decimation", "decimation_s", oursDecimation, "vtk-quadric", vtkDecimation, 0.2);
    line("meshing", "chain_s", oursChain, "vtk", vtkChain, 0.4);
    decimationQuality(data);
  }

  /**
   * Decimation quality at equal input and by one measure: the peer's flying-edges mesh ({@code
   * fe.vtp}, all objects, about 1.9 M triangles) decimated to 10 % by our decimation and by
   * vtkQuadricDecimation (run here through VTK's Python, its output written as STL once and
   * reused); for each, the distances from the original's vertices to the decimated surface (how far
   * the simplified surface strays from the anatomy: mean, 99th percentile, maximum), the distances
   * the other way, and the volume ratio, all computed by our exact point-to-triangle distance. The
   * peer script {@code decim_quality.py} measures only the decimated vertices' distance to the
   * original, which is 0 by construction for decimations that keep original vertices (ours,
   * DecimatePro). The line's metric is the symmetric mean (the two directions' means averaged);
   * each direction is in the line too. Deterministic figures: one run.
   */
  private void decimationQuality(Path data) throws Exception {
    Path original = data.resolve("fe.stl");
    Path quadric = data.resolve("fe-qdec.stl");
    python(
        original,
        "r = vtk.vtkXMLPolyDataReader(); r.SetFileName(sys.argv[1])\n"
            + "w = vtk.vtkSTLWriter(); w.SetInputConnection(r.GetOutputPort())\n",
        data.resolve("fe.vtp"));
    python(
        quadric,
        "r = vtk.vtkXMLPolyDataReader(); r.SetFileName(sys.argv[1])\n"
            + "q = vtk.vtkQuadricDecimation(); q.SetTargetReduction(0.9)\n"
            + "q.SetInputConnection(r.GetOutputPort())\n"
            + "w = vtk.vtkSTLWriter(); w.SetInputConnection(q.GetOutputPort())\n",
        data.resolve("fe.vtp"));
    org.anatwin.model.TriangleMesh fe = Modeling.fromStl(Files.readAllBytes(original));
    org.anatwin.model.TriangleMesh theirs = Modeling.fromStl(Files.readAllBytes(quadric));
    long t0 = System.nanoTime();
    org.anatwin.model.TriangleMesh ours = Modeling.simplify(fe, fe.triangleCount() / 10, 1e6);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double[] o = quality(fe, ours);
    double[] p = quality(fe, theirs);
    System.err.printf(
        Locale.ROOT,
        "decimation quality on fe.vtp (%d triangles), ours in %.2f s:%n"
            + "  ours %d triangles: original->decimated mean %.4f p99 %.4f max %.4f mm; decimated->original mean %.4f max %.4f mm; volume ratio %.5f%n"
            + "  vtk quadric %d triangles: original->decimated mean %.4f p99 %.4f max %.4f mm; decimated->original mean %.4f max %.4f mm; volume ratio %.5f%n",
        fe.triangleCount(),
        seconds,
        ours.triangleCount(),
        o[0],
        o[1],
        o[2],
        o[3],
        o[4],
        o[5],
        theirs.triangleCount(),
        p[0],
        p[1],
        p[2],
        p[3],
        p[4],
        p[5]);
    System.out.printf(
        Locale.ROOT,
        "{\"bench\":\"meshing-decimation-quality\",\"metric\":\"symmetric_mean_distance_mm\",\"ours\":%.4f,\"peer\":\"vtk-quadric\",\"peer_value\":%.4f,\"ratio\":%.3f,\"target\":1.0,\"ours_original_to_decimated_mean_mm\":%.4f,\"peer_original_to_decimated_mean_mm\":%.4f,\"ours_p99_mm\":%.4f,\"peer_p99_mm\":%.4f,\"ours_max_mm\":%.4f,\"peer_max_mm\":%.4f,\"ours_decimated_to_original_max_mm\":%.4f,\"peer_decimated_to_original_max_mm\":%.4f,\"ours_volume_ratio\":%.5f,\"peer_volume_ratio\":%.5f,\"ours_triangles\":%d,\"peer_triangles\":%d,\"runs\":1}%n",
        (o[0] + o[3]) / 2,
        (p[0] + p[3]) / 2,
        (o[0] + o[3]) / (p[0] + p[3]),
        o[0],
        p[0],
        o[1],
        p[1],
        o[2],
        p[2],
        o[4],
        p[4],
        o[5],
        p[5],
        ours.triangleCount(),
        theirs.triangleCount());
  }

  /** Writes {@code out} with VTK's Python unless it exists: the snippet reads argv[1]. */
  private static void python(Path out, String snippet, Path in) throws Exception {
    if (Files.exists(out)) {
      return;
    }
    Process process =
        new ProcessBuilder(
                "/usr/bin/python3",
                "-c",
                "import sys, vtk\n"
                    + snippet
                    + "w.SetFileTypeToBinary(); w.SetFileName(sys.argv[2]); w.Write()\n",
                in.toString(),
                out.toString())
            .inheritIO()
            .start();
    if (process.waitFor() != 0) {
      throw new IllegalStateException("VTK's Python could not write " + out);
    }
  }

  /**
   * {original vertices to decimated surface: mean, p99, max; decimated vertices to original: mean,
   * max; volume ratio}, distances absolute, mm.
   */
  private static double[] quality(
      org.anatwin.model.TriangleMesh original, org.anatwin.model.TriangleMesh decimated) {
    double[] back = absoluteSorted(Modeling.diff(original, decimated).distances());
    double[] forth = absoluteSorted(Modeling.diff(decimated, original).distances());
    double volume =
        org.anatwin.modeling.internal.MeshMath.signedVolume(
                decimated.points(), decimated.triangles())
            / org.anatwin.modeling.internal.MeshMath.signedVolume(
                original.points(), original.triangles());
    return new double[] {
      mean(back),
      back[(int) Math.ceil(0.99 * back.length) - 1],
      back[back.length - 1],
      mean(forth),
      forth[forth.length - 1],
      volume
    };
  }

  private static double[] absoluteSorted(float[] distances) {
    double[] out = new double[distances.length];
    for (int i = 0; i < distances.length; i++) {
      out[i] = Math.abs(distances[i]);
    }
    java.util.Arrays.sort(out);
    return out;
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  private void line(
      String bench, String metric, double[] ours, String peer, double[] theirs, Double target) {
    double o = Benchmarks.median(ours);
    double p = Benchmarks.median(theirs);
    System.out.printf(
        Locale.ROOT,
        "{\"bench\":\"%s\",\"metric\":\"%s\",\"ours\":%.3f,\"peer\":\"%s\",\"peer_value\":%.3f,\"ratio\":%.3f,\"target\":%s,\"runs\":%d}%n",
        bench,
        metric,
        o,
        peer,
        p,
        o / p,
        target == null ? "null" : String.format(Locale.ROOT, "%.1f", target),
        runs);
  }
}

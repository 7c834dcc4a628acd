package org.anatwin.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.AnatwinException;
import org.anatwin.model.Volume;
import org.anatwin.modeling.MeshReport;
import org.anatwin.modeling.Modeling;
import org.anatwin.modeling.Surface;

/**
 * {@code ./anatwin mesh SERIES_DIR (--preset bone|dense-bone | --iso HU) [--smooth N] [--decimate
 * FRACTION] -o OUT.(stl|obj|ply|3mf)}: a model from a folder of DICOM files with the service's own
 * code path (series to volume, iso-surface, repairs, decimation, exports), nothing stored. Prints
 * the QA report as one JSON object on standard output; a refusal prints its code and message on
 * standard error and exits with 2.
 */
public final class MeshCommand {
  private MeshCommand() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      Options options = Options.parse(args);
      Volume volume = Ingest.volumeFromFolder(options.series());
      Surface surface = Modeling.createIsoSurface(volume, options.isoHu(), options.smoothing());
      if (options.decimate() < 1) {
        surface = Modeling.decimate(surface, options.decimate(), 1.0);
      }
      Files.write(options.output(), export(surface, options.output()));
      out.println(json(surface, options));
      return 0;
    } catch (AnatwinException e) {
      err.println(e.code() + ": " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("cli:output.unwritable: " + e.getMessage());
      return 2;
    }
  }

  private static byte[] export(Surface surface, Path output) {
    String name = output.getFileName().toString();
    return Modeling.export(
        surface.mesh(),
        name.substring(name.lastIndexOf('.') + 1),
        Map.of(
            "Application", "Anatwin " + org.anatwin.model.Agent.VERSION,
            "anatwin:mesh", surface.id(),
            "anatwin:frameOfReferenceUid", surface.frameOfReference().value()));
  }

  private static String json(Surface s, Options o) {
    MeshReport r = s.report();
    StringBuilder repairs = new StringBuilder();
    for (String change : s.repairs()) {
      repairs.append(repairs.isEmpty() ? "" : ",").append('"').append(change).append('"');
    }
    return String.format(
        Locale.ROOT,
        "{\"mesh\":\"%s\",\"output\":\"%s\",\"isoHu\":%s,\"vertices\":%d,\"triangles\":%d,"
            + "\"volumeMm3\":%.3f,\"areaMm2\":%.3f,\"bounds\":[%.3f,%.3f,%.3f,%.3f,%.3f,%.3f],"
            + "\"watertight\":%b,\"manifold\":%b,\"shells\":%d,\"boundaryEdges\":%d,"
            + "\"nonManifoldEdges\":%d,\"frameOfReferenceUid\":\"%s\",\"repairs\":[%s]}",
        s.id(),
        o.output().toString().replace("\\", "\\\\").replace("\"", "\\\""),
        Double.toString(o.isoHu()),
        r.vertices(),
        r.triangles(),
        r.volume(),
        r.area(),
        r.minX(),
        r.minY(),
        r.minZ(),
        r.maxX(),
        r.maxY(),
        r.maxZ(),
        r.watertight(),
        r.manifold(),
        r.shells(),
        r.boundaryEdges(),
        r.nonManifoldEdges(),
        s.frameOfReference().value(),
        repairs);
  }

  /** A usage error, with a stable code like every other refusal. */
  static final class CliException extends AnatwinException {
    CliException(String code, String message) {
      super(code, message);
    }
  }

  record Options(Path series, double isoHu, int smoothing, double decimate, Path output) {
    static final String USAGE =
        "usage: ./anatwin mesh SERIES_DIR (--preset bone|dense-bone | --iso HU) [--smooth N] [--decimate FRACTION] -o OUT.(stl|obj|ply|3mf)";

    static Options parse(String[] args) {
      Path series = null;
      Double iso = null;
      int smoothing = 0;
      double decimate = 1;
      Path output = null;
      try {
        for (int i = 0; i < args.length; i++) {
          switch (args[i]) {
            case "--preset" -> iso = preset(args[++i]);
            case "--iso" -> iso = Double.parseDouble(args[++i]);
            case "--smooth" -> smoothing = Integer.parseInt(args[++i]);
            case "--decimate" -> decimate = Double.parseDouble(args[++i]);
            case "-o", "--output" -> output = Path.of(args[++i]);
            case "--seg" ->
                throw new CliException(
                    "cli:seg.unsupported", "meshing a SEG from the command line is not built yet");
            default -> {
              if (args[i].startsWith("-") || series != null) {
                throw new CliException("cli:usage", "unexpected '" + args[i] + "'; " + USAGE);
              }
              series = Path.of(args[i]);
            }
          }
        }
      } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
        throw new CliException("cli:usage", USAGE);
      }
      if (series == null || iso == null || output == null) {
        throw new CliException("cli:usage", USAGE);
      }
      if (!Files.isDirectory(series)) {
        throw new CliException("cli:series.not-a-folder", "not a folder: " + series);
      }
      if (smoothing < 0 || !(decimate > 0 && decimate <= 1)) {
        throw new CliException(
            "cli:usage", "--smooth is 0 or more, --decimate a fraction in (0, 1]; " + USAGE);
      }
      return new Options(series, iso, smoothing, decimate, output);
    }

    private static double preset(String name) {
      return switch (name) {
        case "bone" -> Modeling.Preset.BONE.minimumHu();
        case "dense-bone" -> Modeling.Preset.DENSE_BONE.minimumHu();
        default -> throw new CliException("cli:preset.unknown", "presets: bone, dense-bone");
      };
    }
  }
}

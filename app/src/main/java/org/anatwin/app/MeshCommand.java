package org.anatwin.app;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.AnatwinException;
import org.anatwin.model.Volume;
import org.anatwin.modeling.DicomModels;
import org.anatwin.modeling.LabelMap;
import org.anatwin.modeling.MeshReport;
import org.anatwin.modeling.Modeling;
import org.anatwin.modeling.Segmentations;
import org.anatwin.modeling.Surface;

/**
 * {@code ./anatwin mesh SERIES_DIR (--preset NAME | --iso HU | --seg SEG_FILE) [--smooth N]
 * [--decimate FRACTION] -o OUT.(stl|ascii.stl|obj|ply|3mf|dcm|obj.dcm)}: a model from a folder of
 * DICOM files with the service's own code path (series to volume, iso-surface or the segments of a
 * DICOM SEG drawn on that series, repairs, decimation, exports), nothing stored. {@code .dcm}
 * writes DICOM Encapsulated STL and {@code .obj.dcm} Encapsulated OBJ in the series' study. Prints
 * the QA report as one JSON object on standard output (with {@code --seg}, one object per segment
 * under {@code "meshes"}, each written to OUT with {@code -SEGMENT_NUMBER} before its extension
 * when the SEG has several); a refusal prints its code and message on standard error and exits with
 * 2.
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
      if (options.seg() == null) {
        // the largest object in the range, surfaced from the HU values at the range's lower bound
        LabelMap object =
            Modeling.createThresholdLabelMap(
                volume,
                (int) Math.max(Short.MIN_VALUE, Math.ceil(options.isoHu())),
                options.maximumHu());
        Surface surface =
            Modeling.createIsoSurface(volume, object, options.isoHu(), options.smoothing());
        out.println(
            json(
                write(finish(surface, options), options.output(), options, volume, null), options));
        return 0;
      }
      AttributeList seg = readSeg(options.seg());
      List<Segmentations.Segment> segments =
          Segmentations.fromSeg(seg, volume).stream()
              .filter(s -> s.labelMap().labelledVoxels() > 0)
              .toList();
      if (segments.isEmpty()) {
        throw new CliException("cli:seg.empty", "no segment of " + options.seg() + " has a voxel");
      }
      StringBuilder meshes = new StringBuilder();
      for (Segmentations.Segment segment : segments) {
        Path output =
            segments.size() == 1 ? options.output() : numbered(options.output(), segment.number());
        Surface surface = Modeling.createSurface(segment.labelMap(), segment.frame());
        meshes
            .append(meshes.isEmpty() ? "" : ",")
            .append(
                json(write(finish(surface, options), output, options, volume, seg), options)
                    .replaceFirst(
                        "^\\{",
                        "{\"segment\":"
                            + segment.number()
                            + ",\"label\":\""
                            + escape(segment.label())
                            + "\","));
      }
      out.println(
          "{\"seg\":\"" + escape(options.seg().toString()) + "\",\"meshes\":[" + meshes + "]}");
      return 0;
    } catch (AnatwinException e) {
      err.println(e.code() + ": " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("cli:output.unwritable: " + e.getMessage());
      return 2;
    }
  }

  private static Surface finish(Surface surface, Options options) {
    return options.decimate() < 1 ? Modeling.decimate(surface, options.decimate(), 1.0) : surface;
  }

  /** Writes the surface to {@code output}; returns it with the path it went to. */
  private static Written write(
      Surface surface,
      Path output,
      Options options,
      Volume volume,
      @org.jspecify.annotations.Nullable AttributeList seg)
      throws IOException {
    String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
    byte[] bytes;
    if (name.endsWith(".dcm")) {
      bytes = dicom(surface, volume, options.series(), name.endsWith(".obj.dcm"), seg);
    } else {
      String extension =
          name.endsWith(".ascii.stl") ? "ascii.stl" : name.substring(name.lastIndexOf('.') + 1);
      bytes =
          Modeling.export(
              surface.mesh(),
              extension,
              Map.of(
                  "Application", "Anatwin " + org.anatwin.model.Agent.VERSION,
                  "anatwin:mesh", surface.id(),
                  "anatwin:frameOfReferenceUid", surface.frameOfReference().value()));
    }
    Files.write(output, bytes);
    return new Written(surface, output);
  }

  private record Written(Surface surface, Path output) {}

  private static Path numbered(Path output, int number) {
    String name = output.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    int dot =
        lower.endsWith(".ascii.stl") || lower.endsWith(".obj.dcm")
            ? name.lastIndexOf('.', name.lastIndexOf('.') - 1)
            : name.lastIndexOf('.');
    String base = dot < 0 ? name : name.substring(0, dot);
    String extension = dot < 0 ? "" : name.substring(dot);
    return output.resolveSibling(base + "-" + number + extension);
  }

  private static AttributeList readSeg(Path file) {
    try {
      AttributeList list = new AttributeList();
      list.read(file.toFile());
      return list;
    } catch (IOException | com.pixelmed.dicom.DicomException e) {
      throw new CliException(
          "cli:seg.unreadable", "cannot read " + file + " as DICOM: " + e.getMessage());
    }
  }

  /**
   * The surface as DICOM Encapsulated STL or OBJ in the study of the series it was made from:
   * patient and study attributes from the series' first file, UIDs derived from the mesh id,
   * content date and time the study's, so the same input gives the same object.
   */
  private static byte[] dicom(
      Surface surface,
      Volume volume,
      Path folder,
      boolean obj,
      @org.jspecify.annotations.Nullable AttributeList seg)
      throws IOException {
    AttributeList header = seriesHeader(folder, volume);
    String studyDate = text(header, TagFromName.StudyDate);
    String studyTime = text(header, TagFromName.StudyTime);
    String sopClass = text(header, TagFromName.SOPClassUID);
    List<DicomModels.Source> sources = new java.util.ArrayList<>();
    for (org.anatwin.model.SourceInstance source : volume.sources()) {
      sources.add(
          new DicomModels.Source(
              volume.series().value(), sopClass, source.sopInstanceUid().value()));
    }
    // the segmentation the model was made from, when it belongs to the same study
    if (seg != null
        && text(seg, TagFromName.StudyInstanceUID)
            .equals(text(header, TagFromName.StudyInstanceUID))) {
      sources.add(
          new DicomModels.Source(
              text(seg, TagFromName.SeriesInstanceUID),
              text(seg, TagFromName.SOPClassUID),
              text(seg, TagFromName.SOPInstanceUID)));
    }
    var context =
        new DicomModels.Context(
            text(header, TagFromName.PatientName),
            text(header, TagFromName.PatientID),
            text(header, TagFromName.PatientBirthDate),
            text(header, TagFromName.PatientSex),
            text(header, TagFromName.StudyInstanceUID),
            studyDate,
            studyTime,
            text(header, TagFromName.AccessionNumber),
            text(header, TagFromName.StudyID),
            surface.frameOfReference().value(),
            derivedUid("series", surface.id()),
            900,
            derivedUid(obj ? "instance-obj" : "instance", surface.id()),
            derivedUid("model-group", surface.id()),
            studyDate.isEmpty() ? "19700101" : studyDate,
            studyTime.isEmpty() ? "000000" : studyTime.replaceAll("\\..*", ""),
            "Anatwin model",
            sources,
            surface.algorithm(),
            surface.algorithmVersion(),
            new java.util.TreeMap<>(surface.parameters()).toString(),
            org.anatwin.model.Agent.VERSION);
    return obj
        ? DicomModels.encapsulatedObj(surface.mesh(), context)
        : DicomModels.encapsulatedStl(surface.mesh(), context);
  }

  /** The header (up to the pixel data) of the first image of the volume's series in the folder. */
  private static AttributeList seriesHeader(Path folder, Volume volume) throws IOException {
    try (java.util.stream.Stream<Path> walk = Files.walk(folder)) {
      for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
        try {
          AttributeList list = new AttributeList();
          list.read(file.toFile(), TagFromName.PixelData);
          if (text(list, TagFromName.SeriesInstanceUID).equals(volume.series().value())) {
            return list;
          }
        } catch (IOException | com.pixelmed.dicom.DicomException e) {
          // not DICOM: the next file
        }
      }
    }
    throw new CliException("cli:series.no-dicom", "no DICOM image in " + folder);
  }

  private static String text(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
    return Attribute.getSingleStringValueOrEmptyString(list, tag).trim();
  }

  private static String derivedUid(String purpose, String id) {
    String hex =
        org.anatwin.model.ContentHash.of(
                (purpose + ":" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .hex();
    return "2.25." + new java.math.BigInteger(hex.substring(0, 32), 16);
  }

  private static String parameters(Surface s) {
    StringBuilder out = new StringBuilder();
    new java.util.TreeMap<>(s.parameters())
        .forEach(
            (k, v) ->
                out.append(out.isEmpty() ? "" : ",")
                    .append('"')
                    .append(escape(k))
                    .append("\":\"")
                    .append(escape(v))
                    .append('"'));
    return out.toString();
  }

  /** A JSON number with six significant decimals, or null when not measured (NaN). */
  private static String number(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.6g", value) : "null";
  }

  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String json(Written written, Options o) {
    Surface s = written.surface();
    MeshReport r = s.report();
    StringBuilder repairs = new StringBuilder();
    for (String change : s.repairs()) {
      repairs.append(repairs.isEmpty() ? "" : ",").append('"').append(change).append('"');
    }
    return String.format(
        Locale.ROOT,
        "{\"mesh\":\"%s\",\"output\":\"%s\",\"algorithm\":\"%s\",\"parameters\":{%s},\"vertices\":%d,\"triangles\":%d,"
            + "\"volumeMm3\":%.3f,\"areaMm2\":%.3f,\"bounds\":[%.3f,%.3f,%.3f,%.3f,%.3f,%.3f],"
            + "\"watertight\":%b,\"manifold\":%b,\"shells\":%d,\"boundaryEdges\":%d,"
            + "\"nonManifoldEdges\":%d,\"selfIntersections\":%d,\"eulerCharacteristic\":%d,"
            + "\"consistentlyOriented\":%b,\"degenerateTriangles\":%d,\"wallThicknessMm\":%s,"
            + "\"labelMapVolumeMm3\":%s,\"volumeChange\":%s,\"maxDeviationFromUnsmoothedMm\":%s,"
            + "\"frameOfReferenceUid\":\"%s\",\"repairs\":[%s]}",
        s.id(),
        escape(written.output().toString()),
        s.algorithm(),
        parameters(s),
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
        r.selfIntersections(),
        r.eulerCharacteristic(),
        r.consistentlyOriented(),
        r.degenerateTriangles(),
        number(r.wallThicknessMm()),
        number(r.labelMapVolumeMm3()),
        number(r.volumeChange()),
        number(r.maxDeviationFromUnsmoothedMm()),
        s.frameOfReference().value(),
        repairs);
  }

  /** A usage error, with a stable code like every other refusal. */
  static final class CliException extends AnatwinException {
    CliException(String code, String message) {
      super(code, message);
    }
  }

  record Options(
      Path series,
      double isoHu,
      int maximumHu,
      @org.jspecify.annotations.Nullable Path seg,
      int smoothing,
      double decimate,
      Path output) {
    static final String USAGE =
        "usage: ./anatwin mesh SERIES_DIR (--preset bone|dense-bone|vessels|soft-tissue|skin | --iso HU | --seg SEG_FILE) [--smooth N] [--decimate FRACTION] -o OUT.(stl|ascii.stl|obj|ply|3mf|dcm|obj.dcm)";

    static Options parse(String[] args) {
      Path series = null;
      Double iso = null;
      int maximum = Short.MAX_VALUE;
      Path seg = null;
      int smoothing = 0;
      double decimate = 1;
      Path output = null;
      try {
        for (int i = 0; i < args.length; i++) {
          switch (args[i]) {
            case "--preset" -> {
              Modeling.Preset preset = preset(args[++i]);
              iso = (double) preset.minimumHu();
              maximum = preset.maximumHu();
            }
            case "--iso" -> iso = Double.parseDouble(args[++i]);
            case "--smooth" -> smoothing = Integer.parseInt(args[++i]);
            case "--decimate" -> decimate = Double.parseDouble(args[++i]);
            case "-o", "--output" -> output = Path.of(args[++i]);
            case "--seg" -> seg = Path.of(args[++i]);
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
      if (series == null || (iso == null) == (seg == null) || output == null) {
        throw new CliException("cli:usage", USAGE);
      }
      if (seg != null && !Files.isRegularFile(seg)) {
        throw new CliException("cli:seg.not-a-file", "not a file: " + seg);
      }
      if (!Files.isDirectory(series)) {
        throw new CliException("cli:series.not-a-folder", "not a folder: " + series);
      }
      if (smoothing < 0 || !(decimate > 0 && decimate <= 1)) {
        throw new CliException(
            "cli:usage", "--smooth is 0 or more, --decimate a fraction in (0, 1]; " + USAGE);
      }
      return new Options(
          series, iso == null ? Double.NaN : iso, maximum, seg, smoothing, decimate, output);
    }

    private static Modeling.Preset preset(String name) {
      return Modeling.Preset.named(name)
          .orElseThrow(
              () ->
                  new CliException(
                      "cli:preset.unknown",
                      "presets: "
                          + java.util.Arrays.stream(Modeling.Preset.values())
                              .map(Modeling.Preset::label)
                              .collect(java.util.stream.Collectors.joining(", "))));
    }
  }
}

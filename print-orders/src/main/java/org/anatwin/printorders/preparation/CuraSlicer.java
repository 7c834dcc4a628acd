package org.anatwin.printorders.preparation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.anatwin.model.ContentHash;
import org.anatwin.printorders.PrintOrderException;

/**
 * CuraEngine (AGPL: called as a separate process, never linked) slicing one STL with a printer
 * definition and extruder definition from Cura's resources and a few settings of ours. The engine
 * reads only default values from the definitions, so the settings that matter are passed
 * explicitly. Arguments come from configuration and our own temporary files only.
 */
public final class CuraSlicer {
  private static final Pattern LAYERS = Pattern.compile("(?m)^Layer count: (\\d+)");
  private static final Pattern TIME = Pattern.compile("(?m)^Print time \\(s\\): (\\d+)");
  private static final Pattern FILAMENT = Pattern.compile("(?m)^Filament \\(mm\\^3\\): (\\d+)");
  private static final Pattern VERSION = Pattern.compile(";Generated with Cura_SteamEngine (\\S+)");

  private final String executable;
  private final Path resources;
  private final Duration timeout;

  /**
   * @param executable CuraEngine's path or name on the PATH
   * @param resources Cura's {@code resources} folder (with {@code definitions} and {@code
   *     extruders})
   */
  public CuraSlicer(String executable, Path resources, Duration timeout) {
    this.executable = executable;
    this.resources = resources;
    this.timeout = timeout;
  }

  /** A printer's slicing profile: Cura definition names and our explicit settings. */
  public record Profile(
      String printerDefinition, String extruderDefinition, Map<String, String> settings) {
    public Profile {
      settings = new TreeMap<>(settings);
    }

    public double layerHeight() {
      return Double.parseDouble(settings.getOrDefault("layer_height", "0.1"));
    }

    public double initialLayerHeight() {
      return Double.parseDouble(settings.getOrDefault("layer_height_0", "0.3"));
    }
  }

  /** What CuraEngine made and said of it. */
  public record Sliced(
      byte[] gcode,
      int layers,
      long printTimeSeconds,
      double filamentMm3,
      String engineVersion,
      ContentHash profileSha256) {}

  /**
   * The hash of everything that decides the slicing besides the model: definitions and settings.
   */
  public ContentHash profileHash(Profile profile) {
    try {
      StringBuilder text = new StringBuilder();
      text.append(Files.readString(definition(profile.printerDefinition())));
      text.append('\u001f').append(Files.readString(extruder(profile.extruderDefinition())));
      profile.settings().forEach((k, v) -> text.append('\u001f').append(k).append('=').append(v));
      return ContentHash.of(text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new PrintOrderException(
          "print-orders:slicer.profile",
          "the printer definition "
              + profile.printerDefinition()
              + " cannot be read: "
              + e.getMessage());
    }
  }

  /** Slices a binary STL (in bed coordinates, mm) into G-code. */
  public Sliced slice(byte[] stl, Profile profile) {
    ContentHash profileHash = profileHash(profile);
    Path work = null;
    try {
      work = Files.createTempDirectory("anatwin-slice");
      Path model = work.resolve("model.stl");
      Path gcode = work.resolve("model.gcode");
      Path log = work.resolve("engine.log");
      Files.write(model, stl);
      List<String> command = new ArrayList<>();
      command.add(executable);
      command.add("slice");
      command.add("-v");
      command.add("-j");
      command.add(definition(profile.printerDefinition()).toString());
      for (var s : profile.settings().entrySet()) {
        command.add("-s");
        command.add(s.getKey() + "=" + s.getValue());
      }
      command.add("-e0");
      command.add("-j");
      command.add(extruder(profile.extruderDefinition()).toString());
      // relative names, run inside the work folder: CuraEngine writes the model's path into the
      // G-code (";MESH:"), and a temporary folder's name would make every slicing differ
      command.add("-l");
      command.add(model.getFileName().toString());
      command.add("-o");
      command.add(gcode.getFileName().toString());
      ProcessBuilder builder =
          new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
      builder.redirectOutput(log.toFile());
      builder
          .environment()
          .put(
              "CURA_ENGINE_SEARCH_PATH",
              resources.resolve("definitions") + ":" + resources.resolve("extruders"));
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new PrintOrderException(
            "print-orders:slicer.timeout", "CuraEngine did not finish within " + timeout);
      }
      String said = Files.readString(log, StandardCharsets.ISO_8859_1);
      if (process.exitValue() != 0 || !Files.exists(gcode)) {
        throw new PrintOrderException(
            "print-orders:slicer.failed",
            "CuraEngine exited with " + process.exitValue() + ": " + lastLines(said));
      }
      byte[] out = Files.readAllBytes(gcode);
      String head = new String(out, 0, Math.min(out.length, 4096), StandardCharsets.ISO_8859_1);
      int layers = number(LAYERS, said, "layer count");
      if (layers == 0) {
        throw new PrintOrderException(
            "print-orders:slicer.empty", "CuraEngine made no layers of the part");
      }
      return new Sliced(
          out,
          layers,
          number(TIME, said, "print time"),
          number(FILAMENT, said, "filament"),
          find(VERSION, head).orElse("unknown"),
          profileHash);
    } catch (IOException e) {
      throw new PrintOrderException(
          "print-orders:slicer.failed", "CuraEngine could not be run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PrintOrderException("print-orders:slicer.failed", "interrupted while slicing");
    } finally {
      delete(work);
    }
  }

  private Path definition(String name) {
    return checked(resources.resolve("definitions"), name);
  }

  private Path extruder(String name) {
    return checked(resources.resolve("extruders"), name);
  }

  private static Path checked(Path folder, String name) {
    if (!name.matches("[A-Za-z0-9_.-]+")) {
      throw new PrintOrderException(
          "print-orders:slicer.profile", "not a Cura definition name: " + name);
    }
    Path file = folder.resolve(name + ".def.json");
    if (!Files.isRegularFile(file)) {
      throw new PrintOrderException(
          "print-orders:slicer.profile",
          "no Cura definition " + file + " (is the cura package installed?)");
    }
    return file;
  }

  private static int number(Pattern pattern, String text, String what) {
    return find(pattern, text)
        .map(Integer::parseInt)
        .orElseThrow(
            () ->
                new PrintOrderException(
                    "print-orders:slicer.failed", "CuraEngine did not report the " + what));
  }

  private static java.util.Optional<String> find(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    return m.find() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
  }

  private static String lastLines(String text) {
    String[] lines = text.strip().split("\n");
    StringBuilder out = new StringBuilder();
    for (int i = Math.max(0, lines.length - 3); i < lines.length; i++) {
      String line = lines[i];
      out.append(line, 0, Math.min(line.length(), 200)).append(' ');
    }
    return out.toString().strip();
  }

  private static void delete(Path folder) {
    if (folder == null) {
      return;
    }
    try (var files = Files.walk(folder)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp folder left behind holds no patient data: bed-coordinate geometry only
    }
  }
}

package org.anatwin.printorders.printer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.anatwin.printorders.PrintOrderException;

/**
 * A printer whose own software watches a folder (the "hot folder" of PolyJet, SLA and SLS print
 * servers). The job's file ({@code .3mf}, or {@code .gcode} for a G-code printer) is written
 * complete under a temporary name and renamed to {@code <job>.<ext>}; the printer's software takes
 * it from there and reports back with files named after the job: {@code done/<job>.*} when printed,
 * {@code failed/<job>.*} (with the reason in {@code failed/<job>.txt}, if it writes one) when not,
 * and optionally {@code progress/<job>} holding the percentage. A job still in the folder is
 * queued; one taken but not done is printing. Cancelling a queued job takes it back (and marks it
 * {@code cancelled/<job>}); a job already taken is cancelled on the printer itself.
 */
public final class HotFolderDriver implements PrinterDriver {
  private final Path folder;
  private final String extension;

  /** {@code extension} is {@code 3mf} or {@code gcode}: what the printer's software takes. */
  public HotFolderDriver(Path folder, String extension) {
    if (!extension.equals("3mf") && !extension.equals("gcode")) {
      throw new IllegalArgumentException("a hot folder takes 3mf or gcode, not " + extension);
    }
    this.folder = folder;
    this.extension = extension;
  }

  @Override
  public String submit(String jobId, List<JobFile> files) {
    if (!PrinterHttp.SAFE.matcher(jobId).matches()) {
      throw new IllegalArgumentException("unsafe job id " + jobId);
    }
    JobFile file =
        files.stream()
            .filter(f -> f.name().endsWith("." + extension))
            .findFirst()
            .orElseThrow(
                () ->
                    new PrintOrderException(
                        "print-orders:printer.no-file",
                        "this hot folder takes ." + extension + " files; the job has none"));
    Path target = folder.resolve(jobId + "." + extension);
    try {
      Files.createDirectories(folder);
      Path temp = Files.createTempFile(folder, ".incoming-", ".tmp");
      Files.write(temp, file.bytes());
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new PrintOrderException(
          "print-orders:printer.unreachable",
          "cannot write to the hot folder " + folder + ": " + e);
    }
    return target.toString();
  }

  @Override
  public Status status(String jobId, String location) {
    try {
      if (any("done", jobId)) {
        return new Status(State.DONE, 100, "done");
      }
      if (any("failed", jobId)) {
        Path reason = folder.resolve("failed").resolve(jobId + ".txt");
        return new Status(
            State.FAILED,
            progress(jobId),
            Files.exists(reason) ? Files.readString(reason, StandardCharsets.UTF_8).strip() : null);
      }
      if (any("cancelled", jobId)) {
        return new Status(State.CANCELLED, progress(jobId), "cancelled");
      }
      if (Files.exists(folder.resolve(jobId + "." + extension))) {
        return new Status(State.QUEUED, 0, "waiting in the hot folder");
      }
      return new Status(State.PRINTING, progress(jobId), "taken by the printer");
    } catch (IOException e) {
      throw new PrintOrderException(
          "print-orders:printer.unreachable", "cannot read the hot folder " + folder + ": " + e);
    }
  }

  @Override
  public void cancel(String jobId, String location) {
    Path queued = folder.resolve(jobId + "." + extension);
    try {
      if (Files.deleteIfExists(queued)) {
        Path marker = folder.resolve("cancelled").resolve(jobId);
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, "taken back before printing\n");
        return;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new PrintOrderException(
        "print-orders:printer.cancel-on-printer",
        "the printer has taken job " + jobId + "; cancel it on the printer");
  }

  private boolean any(String sub, String jobId) throws IOException {
    Path dir = folder.resolve(sub);
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var files = Files.list(dir)) {
      return files.anyMatch(
          p -> {
            String name = p.getFileName().toString();
            return name.equals(jobId) || name.startsWith(jobId + ".");
          });
    }
  }

  private double progress(String jobId) throws IOException {
    Path p = folder.resolve("progress").resolve(jobId);
    if (!Files.exists(p)) {
      return 0;
    }
    try {
      return Math.max(0, Math.min(100, Double.parseDouble(Files.readString(p).strip())));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}

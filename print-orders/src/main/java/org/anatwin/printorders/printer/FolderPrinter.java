package org.anatwin.printorders.printer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The built-in simulated printer: writes each job into {@code <folder>/<jobId>/}, complete or not
 * at all (files go to a hidden temporary folder that is renamed into place).
 */
public final class FolderPrinter implements PrinterDriver {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,80}");
  private final Path folder;

  public FolderPrinter(Path folder) {
    this.folder = folder;
  }

  @Override
  public String submit(String jobId, List<JobFile> files) {
    if (!SAFE.matcher(jobId).matches()) {
      throw new IllegalArgumentException("unsafe job id " + jobId);
    }
    try {
      Files.createDirectories(folder);
      Path temp = Files.createTempDirectory(folder, ".incoming-");
      for (JobFile file : files) {
        if (!SAFE.matcher(file.name()).matches()) {
          throw new IllegalArgumentException("unsafe file name " + file.name());
        }
        Files.write(temp.resolve(file.name()), file.bytes());
      }
      Path target = folder.resolve(jobId);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      return target.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("the simulated printer could not write job " + jobId, e);
    }
  }
}

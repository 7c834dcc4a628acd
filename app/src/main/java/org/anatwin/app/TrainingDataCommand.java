package org.anatwin.app;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Volume;

/**
 * {@code ./anatwin train-model} step one: writes the volumes the shipped segmentation model learns
 * from, assembled by the service's own code path, as {@code NAME.raw} (signed 16-bit HU,
 * little-endian, x fastest) and {@code NAME.txt} ({@code nx ny nz sx sy sz}): the real skull
 * phantom of {@code ../shared/data} (extracted folder given as the first argument) and the
 * project's synthetic skull phantoms of patients 1 and 2. Labels are not written: the training
 * script derives them (HU >= 300), so the recipe lives in one place.
 */
public final class TrainingDataCommand {
  private TrainingDataCommand() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: TrainingDataCommand PHANTOM_SERIES_DIR OUT_DIR");
      System.exit(2);
    }
    Path out = Files.createDirectories(Path.of(args[1]));
    write(Ingest.volumeFromFolder(Path.of(args[0])), out, "phantom-study1");
    for (int patient = 1; patient <= 2; patient++) {
      Path dir = Files.createDirectories(out.resolve("synthetic-dicom-" + patient));
      write(
          Ingest.volumeFromFolder(Ingest.writePhantom(dir, patient)), out, "synthetic-" + patient);
    }
  }

  private static void write(Volume volume, Path out, String name) throws IOException {
    var g = volume.geometry();
    ByteBuffer bytes =
        ByteBuffer.allocate(volume.voxels().length * 2).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asShortBuffer().put(volume.voxels());
    Files.write(out.resolve(name + ".raw"), bytes.array());
    Files.writeString(
        out.resolve(name + ".txt"),
        String.format(
            Locale.ROOT,
            "%d %d %d %s %s %s%n",
            g.nx(),
            g.ny(),
            g.nz(),
            Double.toString(g.sx()),
            Double.toString(g.sy()),
            Double.toString(g.sz())));
    System.out.printf(Locale.ROOT, "%s: %dx%dx%d%n", name, g.nx(), g.ny(), g.nz());
  }
}

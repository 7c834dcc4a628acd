package org.anatwin.printorders.printer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.anatwin.printorders.PrintOrderException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hot folder played by the test as the printer's software would: take, report, finish. */
class HotFolderDriverTests {
  @TempDir Path folder;

  private static final List<PrinterDriver.JobFile> JOB =
      List.of(
          new PrinterDriver.JobFile("job.3mf", new byte[] {80, 75, 3, 4}),
          new PrinterDriver.JobFile("job.json", "{}".getBytes()));

  @Test
  void aJobIsQueuedTakenPrintedAndDone() throws Exception {
    HotFolderDriver driver = new HotFolderDriver(folder, "3mf");

    String location = driver.submit("print-job-1", JOB);

    Path file = folder.resolve("print-job-1.3mf");
    assertThat(location).isEqualTo(file.toString());
    assertThat(Files.readAllBytes(file)).containsExactly(80, 75, 3, 4);
    try (var left = Files.list(folder)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("print-job-1.3mf");
    }
    assertThat(driver.status("print-job-1", location).state())
        .isEqualTo(PrinterDriver.State.QUEUED);
    // the printer's software takes the file and reports progress
    Files.delete(file);
    Files.createDirectories(folder.resolve("progress"));
    Files.writeString(folder.resolve("progress/print-job-1"), "37.5\n");
    assertThat(driver.status("print-job-1", location))
        .isEqualTo(
            new PrinterDriver.Status(PrinterDriver.State.PRINTING, 37.5, "taken by the printer"));
    Files.createDirectories(folder.resolve("done"));
    Files.writeString(folder.resolve("done/print-job-1.3mf"), "");
    assertThat(driver.status("print-job-1", location).state()).isEqualTo(PrinterDriver.State.DONE);
  }

  @Test
  void aFailureCarriesThePrintersReasonAndAQueuedJobIsTakenBack() throws Exception {
    HotFolderDriver driver = new HotFolderDriver(folder, "3mf");
    String location = driver.submit("print-job-2", JOB);
    Files.delete(folder.resolve("print-job-2.3mf"));
    Files.createDirectories(folder.resolve("failed"));
    Files.writeString(folder.resolve("failed/print-job-2.3mf"), "");
    Files.writeString(folder.resolve("failed/print-job-2.txt"), "resin tank empty\n");
    assertThat(driver.status("print-job-2", location))
        .isEqualTo(new PrinterDriver.Status(PrinterDriver.State.FAILED, 0, "resin tank empty"));

    String queued = driver.submit("print-job-3", JOB);
    driver.cancel("print-job-3", queued);
    assertThat(Files.exists(folder.resolve("print-job-3.3mf"))).isFalse();
    assertThat(driver.status("print-job-3", queued).state())
        .isEqualTo(PrinterDriver.State.CANCELLED);
    // a job the printer has taken is cancelled there
    String taken = driver.submit("print-job-4", JOB);
    Files.delete(folder.resolve("print-job-4.3mf"));
    assertThatThrownBy(() -> driver.cancel("print-job-4", taken))
        .isInstanceOfSatisfying(
            PrintOrderException.class,
            e -> assertThat(e.code()).isEqualTo("print-orders:printer.cancel-on-printer"));
  }

  @Test
  void aJobWithoutTheFileThePrinterTakesIsRefused() {
    HotFolderDriver gcode = new HotFolderDriver(folder, "gcode");
    assertThatThrownBy(() -> gcode.submit("print-job-5", JOB))
        .isInstanceOfSatisfying(
            PrintOrderException.class,
            e -> assertThat(e.code()).isEqualTo("print-orders:printer.no-file"));
  }
}

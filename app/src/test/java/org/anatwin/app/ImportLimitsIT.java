package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.anatwin.audit.AuditLog;
import org.anatwin.ingest.ImportReport;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Zip import and the size and entry limits, one byte either side of each limit. */
class ImportLimitsIT extends ServiceIT {
  private static final Actor ADMIN = new Actor("it-admin", "admin");

  @Autowired Storage storage;
  @Autowired AuditLog audit;

  private static List<Path> femurSlices() throws Exception {
    return femurSlices(0);
  }

  /** Four femur slices of the phantom, of its own patient (new UIDs) when {@code patient} > 0. */
  private static List<Path> femurSlices(int patient) throws Exception {
    Path phantom = tempDir("anatwin-it-zip-phantom");
    if (patient > 0) {
      Ingest.writePhantom(phantom, patient);
    } else {
      Ingest.writePhantom(phantom);
    }
    try (var files = Files.list(phantom.resolve("femur"))) {
      return files.sorted().limit(4).toList();
    }
  }

  private static Path zip(List<Path> files, String... extraTextEntries) throws Exception {
    Path zip = tempDir("anatwin-it-zip").resolve("series.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      for (Path file : files) {
        out.putNextEntry(new ZipEntry("../../" + file.getFileName()));
        out.write(Files.readAllBytes(file));
        out.closeEntry();
      }
      for (String text : extraTextEntries) {
        out.putNextEntry(new ZipEntry(text));
        out.write(text.getBytes());
        out.closeEntry();
      }
    }
    return zip;
  }

  @Test
  void importsAZipAndReportsWhatItRefused() throws Exception {
    Ingest ingest = new Ingest(storage, audit, Ingest.Limits.defaults(), Clock.systemUTC());
    ImportReport report = ingest.importFolder(zip(femurSlices(), "README.txt"), ADMIN);
    assertThat(report.stored() + report.duplicates()).isEqualTo(4);
    assertThat(report.rejected())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.file()).isEqualTo("README.txt");
              assertThat(r.code()).isEqualTo("ingest:file.not-dicom");
            });
  }

  @Test
  void aFileOneByteOverTheLimitIsRefusedAndOneAtTheLimitIsStored() throws Exception {
    List<Path> slices = femurSlices();
    long size = Files.size(slices.getFirst());
    Path zip = zip(slices.subList(0, 1));
    ImportReport atLimit =
        new Ingest(
                storage,
                audit,
                Ingest.Limits.defaults().withMaxInstanceBytes(size).withMaxZipEntries(10),
                Clock.systemUTC())
            .importFolder(zip, ADMIN);
    assertThat(atLimit.rejected()).isEmpty();
    ImportReport overLimit =
        new Ingest(
                storage,
                audit,
                Ingest.Limits.defaults().withMaxInstanceBytes(size - 1).withMaxZipEntries(10),
                Clock.systemUTC())
            .importFolder(zip, ADMIN);
    assertThat(overLimit.rejected())
        .singleElement()
        .satisfies(r -> assertThat(r.code()).isEqualTo("ingest:file.too-large"));
    Path folder = slices.getFirst().getParent();
    ImportReport folderOver =
        new Ingest(
                storage,
                audit,
                Ingest.Limits.defaults().withMaxInstanceBytes(size - 1).withMaxZipEntries(10),
                Clock.systemUTC())
            .importFolder(folder, ADMIN);
    assertThat(folderOver.rejected())
        .extracting(ImportReport.Rejection::code)
        .containsOnly("ingest:file.too-large");
  }

  @Test
  void aZipOneEntryOverTheLimitIsRefusedWholeAndOneAtTheLimitIsImported() throws Exception {
    List<Path> slices = femurSlices(7171);
    Path zip = zip(slices);
    long instancesBefore = instances();
    ImportReport over =
        new Ingest(
                storage,
                audit,
                Ingest.Limits.defaults()
                    .withMaxInstanceBytes(1 << 20)
                    .withMaxZipEntries(slices.size() - 1),
                Clock.systemUTC())
            .importFolder(zip, ADMIN);
    assertThat(over.stored() + over.duplicates()).as("nothing of it is imported").isZero();
    assertThat(over.rejected())
        .singleElement()
        .satisfies(r -> assertThat(r.code()).isEqualTo("ingest:zip.too-many-entries"));
    assertThat(instances()).isEqualTo(instancesBefore);
    ImportReport exact =
        new Ingest(
                storage,
                audit,
                Ingest.Limits.defaults()
                    .withMaxInstanceBytes(1 << 20)
                    .withMaxZipEntries(slices.size()),
                Clock.systemUTC())
            .importFolder(zip, ADMIN);
    assertThat(exact.rejected()).isEmpty();
    assertThat(exact.stored()).isEqualTo(slices.size());
    assertThat(instances()).isEqualTo(instancesBefore + slices.size());
  }

  private long instances() {
    return storage
        .graph()
        .read(tx -> tx.run("MATCH (i:Instance) RETURN count(i)").single().get(0).asLong());
  }
}

package org.anatwin.app;

import java.net.URI;
import java.time.Clock;
import java.util.Map;
import org.anatwin.audit.AuditLog;
import org.anatwin.audit.Provenance;
import org.anatwin.ingest.DicomDestinations;
import org.anatwin.ingest.DicomListener;
import org.anatwin.ingest.Ingest;
import org.anatwin.printorders.PrintOrders;
import org.anatwin.storage.Storage;
import org.anatwin.versioning.Twins;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The modules' entry points as beans, wired through the ports of twin-model. */
@Configuration(proxyBeanMethods = false)
class CoreConfiguration {
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean(destroyMethod = "close")
  Storage storage(AnatwinProperties properties) {
    AnatwinProperties.Neo4j neo4j = properties.neo4j();
    URI uri = neo4j.uri() == null || neo4j.uri().isBlank() ? null : URI.create(neo4j.uri());
    return Storage.open(
        new Storage.Settings(
            properties.dataHome(), uri, neo4j.user(), neo4j.password(), neo4j.boltPort()));
  }

  /** The audit log; its signed checkpoints go to {@code <data>/audit}, outside the graph. */
  @Bean
  AuditLog auditLog(Storage storage, AnatwinProperties properties, Clock clock) {
    return new AuditLog(
        storage,
        new org.anatwin.audit.FileCheckpoints(properties.dataHome().resolve("audit")),
        clock);
  }

  @Bean
  Provenance provenance(Storage storage) {
    return new Provenance(storage);
  }

  /** Re-derivation: each producing module re-runs its own recorded activities. */
  @Bean
  org.anatwin.audit.Reproduction reproduction(
      Provenance provenance,
      Storage storage,
      PrintOrders printOrders,
      AuditLog audit,
      Clock clock) {
    return new org.anatwin.audit.Reproduction(
        provenance,
        java.util.List.of(
            new org.anatwin.ingest.IngestDerivation(storage),
            new org.anatwin.modeling.ModelingDerivation(),
            new org.anatwin.versioning.ModelDerivation(storage),
            new org.anatwin.versioning.RegistrationDerivation(storage),
            new org.anatwin.versioning.DesignDerivation(storage),
            new org.anatwin.versioning.SegmentationImportDerivation(storage),
            printOrders.derivation()),
        audit,
        clock);
  }

  @Bean
  Ingest ingest(Storage storage, AuditLog audit, AnatwinProperties properties, Clock clock) {
    return new Ingest(storage, audit, properties.limits(), clock);
  }

  @Bean(destroyMethod = "close")
  DicomListener dicomListener(Ingest ingest, AnatwinProperties properties) {
    AnatwinProperties.Dicom dicom = properties.dicom();
    return ingest.listen(
        new DicomListener.Settings(
            dicom.aeTitle(), dicom.bind(), dicom.port(), dicom.maxPduLength()));
  }

  @Bean
  DicomDestinations dicomDestinations(AnatwinProperties properties) {
    Map<String, Ingest.RemoteAe> remotes = new java.util.HashMap<>();
    properties
        .dicom()
        .remotes()
        .forEach(
            (name, r) -> remotes.put(name, new Ingest.RemoteAe(r.host(), r.port(), r.aeTitle())));
    return new DicomDestinations(
        remotes, properties.dicom().aeTitle(), properties.dataHome().resolve("spool"));
  }

  @Bean
  Twins twins(
      Storage storage, Ingest ingest, AuditLog audit, Clock clock, Twins.VersionListener events) {
    return new Twins(storage, ingest, audit, clock, events);
  }

  /** The segmentation model registry; its loaded networks close with the service. */
  @Bean(destroyMethod = "close")
  org.anatwin.versioning.SegmentationModels segmentationModels(
      Storage storage, AuditLog audit, Clock clock, SegmentationProperties segmentation) {
    return new org.anatwin.versioning.SegmentationModels(
        storage, audit, clock, segmentation.threads());
  }

  @Bean
  org.anatwin.versioning.TwinPlans twinPlans(
      Twins twins, Storage storage, AuditLog audit, Clock clock, Twins.VersionListener events) {
    return new org.anatwin.versioning.TwinPlans(twins, storage, audit, clock, events);
  }

  @Bean
  PrintOrders printOrders(
      Storage storage,
      AuditLog audit,
      Clock clock,
      AnatwinProperties properties,
      PrintingProperties printing,
      Ingest ingest) {
    // CuraEngine from Debian's cura-engine, printer definitions from Debian's cura package
    PrintOrders orders =
        new PrintOrders(
            storage,
            audit,
            clock,
            properties.dataHome().resolve("printers"),
            new org.anatwin.printorders.preparation.CuraSlicer(
                printing.curaEngine(),
                java.nio.file.Path.of(printing.curaResources()),
                java.time.Duration.ofMinutes(10)),
            ingest);
    printing
        .printers()
        .forEach(
            (id, p) -> orders.register(printer(id, p, properties.dataHome().resolve("printers"))));
    return orders;
  }

  /**
   * A configured printer: an OctoPrint or Moonraker server, a hot folder, or the folder the
   * simulated printer writes to; FDM printers slice with a Cura profile, others take the 3MF.
   */
  static org.anatwin.printorders.PrinterConfig printer(
      String id, PrintingProperties.PrinterSetting p, java.nio.file.Path printerRoot) {
    String driver = p.driver() == null ? "folder" : p.driver();
    org.anatwin.printorders.printer.PrinterDriver connection =
        switch (driver) {
          case "octoprint" ->
              new org.anatwin.printorders.printer.OctoPrintDriver(
                  java.util.Objects.requireNonNull(
                      p.url(), "anatwin.printing.printers." + id + ".url"),
                  p.apiKey() == null ? "" : p.apiKey());
          case "moonraker" ->
              new org.anatwin.printorders.printer.MoonrakerDriver(
                  java.util.Objects.requireNonNull(
                      p.url(), "anatwin.printing.printers." + id + ".url"),
                  p.apiKey() == null ? "" : p.apiKey());
          case "hotfolder" ->
              new org.anatwin.printorders.printer.HotFolderDriver(
                  java.util.Objects.requireNonNull(
                      p.folder(), "anatwin.printing.printers." + id + ".folder"),
                  p.format() == null ? "3mf" : p.format());
          case "folder" ->
              new org.anatwin.printorders.printer.FolderPrinter(printerRoot.resolve(id));
          default ->
              throw new IllegalArgumentException(
                  "anatwin.printing.printers."
                      + id
                      + ".driver is octoprint, moonraker, hotfolder or folder, not "
                      + driver);
        };
    org.anatwin.printorders.Technology technology =
        org.anatwin.printorders.Technology.valueOf(
            p.technology() == null ? "FDM" : p.technology().toUpperCase(java.util.Locale.ROOT));
    var profile =
        technology == org.anatwin.printorders.Technology.FDM
            ? org.anatwin.printorders.PrintOrders.defaultFdmProfile()
            : null;
    if (profile != null && p.curaDefinition() != null) {
      profile =
          new org.anatwin.printorders.preparation.CuraSlicer.Profile(
              p.curaDefinition(),
              p.curaExtruder() == null ? profile.extruderDefinition() : p.curaExtruder(),
              profile.settings());
    }
    return new org.anatwin.printorders.PrinterConfig(
        new org.anatwin.printorders.Printer(
            id, p.name() == null ? id : p.name(), technology.name(), driver),
        new org.anatwin.printorders.preparation.Preparer.Bed(
            p.bedWidth() > 0 ? p.bedWidth() : 235,
            p.bedDepth() > 0 ? p.bedDepth() : 235,
            p.bedHeight() > 0 ? p.bedHeight() : 250,
            50,
            profile),
        technology.minWallMm(),
        p.materials() == null ? java.util.List.of() : p.materials(),
        connection);
  }
}

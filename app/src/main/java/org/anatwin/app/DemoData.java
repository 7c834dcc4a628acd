package org.anatwin.app;

import java.nio.file.Path;
import java.util.List;
import org.anatwin.ingest.ImportReport;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.versioning.StructureSpec;
import org.anatwin.versioning.TwinVersion;
import org.anatwin.versioning.Twins;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * On an empty store (no twin yet) and with {@code anatwin.demo=true}: writes the project's
 * synthetic CT phantom into the data folder, imports it and builds version 1 of its twin with a
 * "bone" structure. A second start finds the twin and does nothing.
 */
@Component
class DemoData implements ApplicationRunner {
  private static final Logger log = LoggerFactory.getLogger(DemoData.class);
  private final AnatwinProperties properties;
  private final Ingest ingest;
  private final Twins twins;

  DemoData(AnatwinProperties properties, Ingest ingest, Twins twins) {
    this.properties = properties;
    this.ingest = ingest;
    this.twins = twins;
  }

  @Override
  public void run(ApplicationArguments args) {
    if (!properties.demo() || !twins.twins(1, null).isEmpty()) {
      return;
    }
    log.info("empty store: building the demo twin from the synthetic CT phantom");
    Path skull = Ingest.writePhantom(properties.dataHome().resolve("demo").resolve("phantom"));
    Actor system = Actor.system();
    ImportReport report = ingest.importFolder(skull.getParent(), system);
    TwinVersion version =
        twins.buildVersion(
            SeriesInstanceUid.of(seriesOf(report, skull)), List.of(StructureSpec.bone()), system);
    log.info("demo twin {} version {} ready: {}", version.twin(), version.number(), version.id());
  }

  /** The skull series among those imported: the one whose description names it. */
  private String seriesOf(ImportReport report, Path skull) {
    return report.series().stream()
        .filter(
            uid ->
                ingest
                    .series(uid)
                    .map(s -> String.valueOf(s.get("description")).contains("skull"))
                    .orElse(false))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "the phantom's skull series was not imported from " + skull));
  }
}

package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.anatwin.ingest.DicomListener;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.storage.Storage;
import org.anatwin.versioning.SegmentationReview;
import org.anatwin.versioning.TwinVersion;
import org.anatwin.versioning.Twins;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The automatic run on ingest: a CT sent with dcmtk's {@code storescu} is watched until stable (the
 * test moves the clock past the stable age instead of waiting for it), then the configured rule's
 * model proposes a version of the patient's twin, authored by the service, PROPOSED and audited; a
 * folder import is not watched.
 */
class AutoSegmentationIT extends ServiceIT {
  @Autowired AutoSegmentation auto;
  @Autowired DicomListener listener;
  @Autowired Ingest ingest;
  @Autowired Twins twins;
  @Autowired Storage storage;

  @Test
  void aCtReceivedOverTheNetworkGetsAProposedSegmentationOnceStable() throws Exception {
    Path phantom = tempDir("anatwin-it-auto");
    Ingest.writePhantom(phantom, 62);
    Process storescu =
        new ProcessBuilder(
                "storescu",
                "-aet",
                "SCANNER",
                "-aec",
                listener.aeTitle(),
                "+sd",
                "+r",
                listener.host(),
                Integer.toString(listener.port()),
                phantom.resolve("skull").toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(storescu.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(storescu.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(storescu.exitValue()).as(output).isZero();
    SeriesInstanceUid series =
        SeriesInstanceUid.of(
            storage
                .graph()
                .read(
                    tx ->
                        tx.run(
                                "MATCH (p:Patient)-[:HAS_STUDY]->()-[:HAS_SERIES]->(s:Series)"
                                    + " WHERE p.patientId ENDS WITH $n AND s.description CONTAINS 'skull'"
                                    + " RETURN s.uid",
                                Map.of("n", "62"))
                            .single()
                            .get(0)
                            .asString()));
    assertThat(auto.watching(series)).isTrue();
    assertThat(ingest.awaitingSeries()).as("the wait survives a restart").contains(series.value());

    // not yet stable: nothing happens
    assertThat(auto.segmentStableSeries(Instant.now(), series::equals)).isEmpty();
    assertThat(auto.watching(series)).isTrue();

    List<TwinVersion> proposed =
        auto.segmentStableSeries(Instant.now().plus(Duration.ofHours(25)), series::equals);
    assertThat(proposed).hasSize(1);
    TwinVersion version = proposed.getFirst();
    assertThat(version.author()).isEqualTo(AutoSegmentation.ACTOR.userName());
    assertThat(version.sourceSeries()).isEqualTo(series.value());
    assertThat(version.structures()).extracting(s -> s.name()).containsExactly("bone");
    assertThat(
            SegmentationReview.state(
                twins.segmentationReviews(List.of(version.id().value())).get(version.id().value())))
        .isEqualTo("PROPOSED");
    assertThat(auto.watching(series)).as("segmented once").isFalse();
    assertThat(ingest.awaitingSeries()).doesNotContain(series.value());
    long audited =
        storage
            .graph()
            .read(
                tx ->
                    tx.run(
                            "MATCH (e:AuditEvent {action: $a}) WHERE $v IN e.subjects RETURN count(e)",
                            Map.of("a", Twins.PROPOSE_ACTION, "v", version.id().value()))
                        .single()
                        .get(0)
                        .asLong());
    assertThat(audited).isEqualTo(1L);

    // a folder import is a bulk load, not watched
    Path imported = tempDir("anatwin-it-auto-import");
    Ingest.writePhantom(imported, 63);
    String importedSeries =
        ingest
            .importFolder(imported.resolve("skull"), new Actor("it-admin", "admin"))
            .series()
            .iterator()
            .next();
    assertThat(auto.watching(SeriesInstanceUid.of(importedSeries))).isFalse();
  }
}

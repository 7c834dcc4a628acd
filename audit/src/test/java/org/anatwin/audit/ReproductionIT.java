package org.anatwin.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.anatwin.model.Activity;
import org.anatwin.model.Actor;
import org.anatwin.model.AnatwinException;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.ContentHash;
import org.anatwin.model.Derivation;
import org.anatwin.storage.LineageWriter;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reproduction over a small lineage of text entities on a real graph: a source, "upper" (the text
 * in capitals, its parameter a suffix), "repeat" (the text twice) and a person's approval. A
 * derivation of the test re-runs the first two.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReproductionIT {
  private static final Instant T = Instant.parse("2026-11-28T09:00:00Z");
  private static final Actor QUALITY = new Actor("demo-quality", "quality");

  @TempDir static Path work;
  Storage storage;
  final List<AuditEvent> events = new ArrayList<>();
  Reproduction reproduction;

  /** Re-runs "upper" (suffix from the parameters) and "repeat"; fails on a missing input. */
  static final class TextDerivation implements Derivation {
    @Override
    public boolean reruns(String algorithm, String version) {
      return List.of("test.upper", "test.repeat").contains(algorithm) && version.equals("1");
    }

    @Override
    public Map<String, Output> rerun(Recorded activity, Inputs inputs) {
      String input = activity.used().getFirst();
      Object value = inputs.value(input);
      String text =
          value instanceof String s ? s : inputs.properties(input).getOrDefault("text", null);
      if (text == null) {
        throw new AuditException("audit:test.input", "no text for " + input);
      }
      String out =
          activity.algorithm().equals("test.upper")
              ? text.toUpperCase(java.util.Locale.ROOT) + activity.parameter("suffix")
              : text + text;
      return Map.of(activity.generated().getFirst(), new Output(Map.of("sha256", hash(out)), out));
    }
  }

  static String hash(String text) {
    return ContentHash.of(text.getBytes(StandardCharsets.UTF_8)).hex();
  }

  @BeforeAll
  void open() {
    storage = Storage.open(Storage.Settings.embedded(work.resolve("home")));
    reproduction =
        new Reproduction(
            new Provenance(storage),
            List.of(new TextDerivation()),
            events::add,
            Clock.fixed(T, ZoneOffset.UTC));
  }

  @AfterAll
  void close() {
    storage.close();
  }

  /** Writes the chain under a prefix: source "abc" -> upper "ABC!" -> repeat "ABC!ABC!" -> ok. */
  private void chain(String p, String recordedRepeat) {
    storage
        .graph()
        .write(
            tx -> {
              tx.run(
                      """
                      CREATE (:Entity:Source {id: $p + 'src', text: 'abc'})
                      CREATE (:Entity:Text {id: $p + 'upper', sha256: $upper})
                      CREATE (:Entity:Text {id: $p + 'repeat', sha256: $repeat})
                      CREATE (:Entity:Approval {id: $p + 'ok'})
                      """,
                      Map.of("p", p, "upper", hash("ABC!"), "repeat", recordedRepeat))
                  .consume();
              LineageWriter.write(
                  tx,
                  Activity.of(
                      "test.upper",
                      "1",
                      Map.of("suffix", "!"),
                      List.of(p + "src"),
                      List.of(p + "upper"),
                      List.of(),
                      T));
              LineageWriter.write(
                  tx,
                  Activity.of(
                      "test.repeat",
                      "1",
                      Map.of(),
                      List.of(p + "upper"),
                      List.of(p + "repeat"),
                      List.of(),
                      T.plusSeconds(1)));
              LineageWriter.write(
                  tx,
                  Activity.of(
                      "test.approve",
                      "1",
                      Map.of("decision", "approved"),
                      List.of(p + "repeat"),
                      List.of(p + "ok"),
                      List.of(),
                      T.plusSeconds(2)));
              return null;
            });
  }

  @Test
  void everyRerunStepMatchesAndTheApprovalIsListedAsRecorded() {
    chain("a-", hash("ABC!ABC!"));
    Reproduction.Report report = reproduction.reproduce("a-ok", QUALITY);
    assertThat(report.matched()).isTrue();
    assertThat(report.firstDifference()).isNull();
    assertThat(report.steps())
        .extracting(Reproduction.Step::algorithm, Reproduction.Step::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("test.upper", Reproduction.Status.MATCHED),
            org.assertj.core.groups.Tuple.tuple("test.repeat", Reproduction.Status.MATCHED),
            org.assertj.core.groups.Tuple.tuple("test.approve", Reproduction.Status.RECORDED));
    Reproduction.Check check = report.steps().get(1).checks().getFirst();
    assertThat(check.entity()).isEqualTo("a-repeat");
    assertThat(check.recorded()).isEqualTo(check.reproduced()).isEqualTo(hash("ABC!ABC!"));
    assertThat(events.getLast().action()).isEqualTo("lineage.reproduce");
    assertThat(events.getLast().actor()).isEqualTo("demo-quality");
    assertThat(events.getLast().subjects()).containsExactly("a-ok");
  }

  @Test
  void anAlteredParameterIsNamedAsTheFirstDifferenceAndLaterStepsAreSkipped() {
    chain("b-", hash("ABC!ABC!"));
    storage
        .graph()
        .write(
            tx ->
                tx.run(
                        """
                        MATCH (:Entity {id: 'b-upper'})-[:WAS_GENERATED_BY]->(a:Activity)
                        SET a.parameters = '{"suffix":"?"}'
                        """)
                    .consume());
    Reproduction.Report report = reproduction.reproduce("b-ok", QUALITY);
    assertThat(report.matched()).isFalse();
    assertThat(report.firstDifference().algorithm()).isEqualTo("test.upper");
    assertThat(report.firstDifference().status()).isEqualTo(Reproduction.Status.DIFFERED);
    assertThat(report.firstDifference().checks().getFirst().reproduced())
        .isEqualTo(hash("ABC?"))
        .isNotEqualTo(report.firstDifference().checks().getFirst().recorded());
    assertThat(report.steps().get(1).status()).isEqualTo(Reproduction.Status.SKIPPED);
  }

  @Test
  void aRecordedHashThatWasTamperedWithIsFoundAtItsStep() {
    chain("c-", hash("something else"));
    Reproduction.Report report = reproduction.reproduce("c-ok", QUALITY);
    assertThat(report.matched()).isFalse();
    assertThat(report.firstDifference().algorithm()).isEqualTo("test.repeat");
    assertThat(report.steps().getFirst().status()).isEqualTo(Reproduction.Status.MATCHED);
  }

  @Test
  void aStepThatCannotBeRerunFailsWithItsCode() {
    chain("d-", hash("ABC!ABC!"));
    storage.graph().write(tx -> tx.run("MATCH (s:Entity {id: 'd-src'}) REMOVE s.text").consume());
    Reproduction.Report report = reproduction.reproduce("d-ok", QUALITY);
    assertThat(report.matched()).isFalse();
    assertThat(report.firstDifference().status()).isEqualTo(Reproduction.Status.FAILED);
    assertThat(report.firstDifference().note()).startsWith("audit:test.input");
  }

  @Test
  void lineageWalksUpstreamAndDownstreamWithinTheDepthAsked() {
    chain("e-", hash("ABC!ABC!"));
    Provenance provenance = new Provenance(storage);
    LineageGraph all = provenance.lineage("e-ok", LineageGraph.Direction.UPSTREAM, null);
    assertThat(all.nodes().getFirst().id()).isEqualTo("e-ok");
    assertThat(all.nodes())
        .extracting(LineageGraph.Node::id)
        .contains("e-src", "e-upper", "e-repeat")
        .doesNotHaveDuplicates();
    assertThat(all.edges())
        .contains(
            new LineageGraph.Edge("e-upper", "e-src", "WAS_DERIVED_FROM"),
            new LineageGraph.Edge("e-repeat", "e-upper", "WAS_DERIVED_FROM"))
        .doesNotHaveDuplicates();
    // one hop: the approval's activity and what it was derived from, nothing further
    LineageGraph one = provenance.lineage("e-ok", LineageGraph.Direction.UPSTREAM, 1);
    assertThat(one.nodes()).extracting(LineageGraph.Node::kind).contains("Activity", "Text");
    assertThat(one.nodes()).extracting(LineageGraph.Node::id).doesNotContain("e-upper", "e-src");
    // downstream from the source: everything made from it, and none of another chain
    LineageGraph down = provenance.lineage("e-src", LineageGraph.Direction.DOWNSTREAM, null);
    assertThat(down.nodes())
        .extracting(LineageGraph.Node::id)
        .contains("e-upper", "e-repeat", "e-ok")
        .noneMatch(id -> id.startsWith("a-"));
    assertThat(down.edges())
        .contains(new LineageGraph.Edge("e-upper", "e-src", "WAS_DERIVED_FROM"));
    assertThat(provenance.lineage("e-src", LineageGraph.Direction.DOWNSTREAM, 0).nodes())
        .extracting(LineageGraph.Node::id)
        .containsExactly("e-src");
  }

  @Test
  void anUnknownEntityIsRefused() {
    assertThatThrownBy(() -> reproduction.reproduce("no-such-entity", QUALITY))
        .isInstanceOfSatisfying(
            AnatwinException.class, e -> assertThat(e.code()).isEqualTo("audit:lineage.unknown"));
  }
}

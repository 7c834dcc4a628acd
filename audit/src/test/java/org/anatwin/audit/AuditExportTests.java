package org.anatwin.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.thaiopensource.util.PropertyMapBuilder;
import com.thaiopensource.validate.ValidateProperty;
import com.thaiopensource.validate.ValidationDriver;
import com.thaiopensource.validate.rng.CompactSchemaReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.anatwin.model.AuditEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * ATNA messages validated by Jing against the DICOM audit message schema (PS3.15 A.5.1), and the
 * FHIR R4 resources checked for the elements R4 requires.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditExportTests {
  private static final Instant T = Instant.parse("2026-11-28T10:15:30.123Z");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final List<String> errors = new ArrayList<>();
  private ValidationDriver schema;

  @BeforeAll
  void loadSchema() throws Exception {
    PropertyMapBuilder properties = new PropertyMapBuilder();
    properties.put(
        ValidateProperty.ERROR_HANDLER,
        new ErrorHandler() {
          @Override
          public void warning(SAXParseException e) {}

          @Override
          public void error(SAXParseException e) {
            errors.add(e.getMessage());
          }

          @Override
          public void fatalError(SAXParseException e) {
            errors.add(e.getMessage());
          }
        });
    schema =
        new ValidationDriver(
            properties.toPropertyMap(),
            properties.toPropertyMap(),
            CompactSchemaReader.getInstance());
    assertThat(
            schema.loadSchema(
                new InputSource(
                    getClass().getResource("dicom-audit-message.rnc").toExternalForm())))
        .as(errors.toString())
        .isTrue();
  }

  private boolean valid(String xml) throws Exception {
    errors.clear();
    return schema.validate(new InputSource(new StringReader(xml)));
  }

  static Stream<AuditEvent> events() {
    return Stream.of(
        new AuditEvent(
            T,
            "storescu-sender",
            "dicom",
            "dicom.c-store",
            AuditEvent.Outcome.SUCCESS,
            List.of("instance:1.2.840.113619.2.55.3", "patient-0123456789abcdef0123456789abcdef"),
            "route=c-store"),
        new AuditEvent(
            T,
            "demo-planner",
            "planner",
            "twin.build-version",
            AuditEvent.Outcome.SUCCESS,
            List.of("twin-version-00ff"),
            "structures=bone"),
        new AuditEvent(
            T,
            "demo-quality",
            "quality",
            "phi.read",
            AuditEvent.Outcome.SUCCESS,
            List.of(),
            "fields=Patient.name"),
        new AuditEvent(
            T,
            "demo-technician",
            "technician",
            "print-job.submit",
            AuditEvent.Outcome.FAILURE,
            List.of("print-order-1"),
            "printer refused: <html> & \"quotes\" \u0001 control, Ångström"),
        new AuditEvent(
            T,
            "demo-quality",
            "quality",
            "audit.verify",
            AuditEvent.Outcome.SUCCESS,
            List.of(),
            ""),
        new AuditEvent(
            T,
            "demo-quality",
            "quality",
            "lineage.reproduce",
            AuditEvent.Outcome.SUCCESS,
            List.of("artefact-9"),
            "every re-derived hash matched"));
  }

  @ParameterizedTest
  @MethodSource("events")
  void everyAtnaMessageValidatesAgainstTheDicomAuditSchema(AuditEvent event) throws Exception {
    String xml = AtnaMessages.message(42, "ab".repeat(32), event, "anatwin@ward-3");
    assertThat(valid(xml)).as(errors + "\n" + xml).isTrue();
    assertThat(xml)
        .contains("EventDateTime=\"2026-11-28T10:15:30.123Z\"")
        .contains("UserID=\"" + event.actor() + "\"")
        .contains("csd-code=\"" + event.action() + "\"")
        .contains(
            Base64.getEncoder().encodeToString(event.detail().getBytes(StandardCharsets.UTF_8)));
    for (String subject : event.subjects()) {
      assertThat(xml).contains("ParticipantObjectID=\"" + subject + "\"");
    }
    assertThat(xml)
        .contains(
            "EventOutcomeIndicator=\""
                + (event.outcome() == AuditEvent.Outcome.SUCCESS ? "0" : "4")
                + "\"");
  }

  @Test
  void dicomEventCodesFollowTheAction() {
    assertThat(AtnaMessages.event("dicom.c-store").code()).isEqualTo("110104");
    assertThat(AtnaMessages.event("dicom.import").code()).isEqualTo("110107");
    assertThat(AtnaMessages.event("phi.read").code()).isEqualTo("110110");
    assertThat(AtnaMessages.event("audit.read").code()).isEqualTo("110101");
    assertThat(AtnaMessages.event("print-job.submit").code()).isEqualTo("110106");
    assertThat(AtnaMessages.event("twin.build-version").action()).isEqualTo("C");
    assertThat(AtnaMessages.event("print-order.approve").action()).isEqualTo("U");
  }

  @Test
  void theSchemaRefusesWhatTheStandardDoesNotAllow() throws Exception {
    String good =
        AtnaMessages.message(
            1, "00".repeat(32), events().findFirst().orElseThrow(), "anatwin@ward-3");
    assertThat(valid(good)).isTrue();
    // no audit source; an outcome the standard does not define; a participant object without a name
    assertThat(
            valid(good.replaceAll("<AuditSourceIdentification.*?</AuditSourceIdentification>", "")))
        .isFalse();
    assertThat(valid(good.replace("EventOutcomeIndicator=\"0\"", "EventOutcomeIndicator=\"1\"")))
        .isFalse();
    assertThat(valid(good.replaceFirst("<ParticipantObjectName>[^<]*</ParticipantObjectName>", "")))
        .isFalse();
  }

  @Test
  void fhirAuditEventCarriesWhatR4Requires() {
    AuditEvent failed = events().toList().get(3);
    JsonNode r = JSON.readTree(FhirResources.auditEvent(7, "cd".repeat(32), failed, "anatwin"));
    assertThat(r.get("resourceType").asString()).isEqualTo("AuditEvent");
    assertThat(r.get("id").asString()).matches("[A-Za-z0-9\\-.]{1,64}");
    assertThat(r.get("type").get("code").asString()).isEqualTo("110106");
    assertThat(r.get("type").get("system").asString())
        .isEqualTo("http://dicom.nema.org/resources/ontology/DCM");
    assertThat(r.get("recorded").asString()).isEqualTo(T.toString());
    assertThat(r.get("outcome").asString()).isEqualTo("4");
    assertThat(r.get("outcomeDesc").asString()).isEqualTo(failed.detail());
    assertThat(r.get("agent")).hasSize(1);
    assertThat(r.get("agent").get(0).get("requestor").asBoolean()).isTrue();
    assertThat(r.get("agent").get(0).get("who").get("identifier").get("value").asString())
        .isEqualTo("demo-technician");
    assertThat(r.get("source").get("observer").get("display").asString()).isEqualTo("anatwin");
    assertThat(r.get("entity").findValuesAsString("value"))
        .contains("print-order-1", "audit-event:7");
    assertThat(r.get("entity").get(1).get("detail").get(0).get("valueString").asString())
        .isEqualTo("cd".repeat(32));
  }

  @Test
  void fhirProvenanceHasOneResourcePerActivityWithTargetsAgentsAndSources() {
    LineageGraph graph =
        new LineageGraph(
            List.of(
                new LineageGraph.Node("mesh-1", "Mesh", "bone", Map.of("sha256", "11".repeat(32))),
                new LineageGraph.Node(
                    "activity-1",
                    "Activity",
                    "anatwin.threshold",
                    Map.of(
                        "algorithm", "anatwin.threshold",
                        "algorithmVersion", "2",
                        "parameters", "{\"minimumHu\":\"300\"}",
                        "time", T.toString())),
                new LineageGraph.Node(
                    "instance:1.2.3",
                    "Instance",
                    "1.2.3",
                    Map.of("datasetSha256", "22".repeat(32))),
                new LineageGraph.Node(
                    "person:demo-planner", "Agent", "demo-planner", Map.of("kind", "PERSON"))),
            List.of(
                new LineageGraph.Edge("mesh-1", "activity-1", "WAS_GENERATED_BY"),
                new LineageGraph.Edge("activity-1", "instance:1.2.3", "USED"),
                new LineageGraph.Edge("activity-1", "person:demo-planner", "WAS_ASSOCIATED_WITH")));
    JsonNode bundle = JSON.readTree(FhirResources.provenance(graph));
    assertThat(bundle.get("resourceType").asString()).isEqualTo("Bundle");
    assertThat(bundle.get("type").asString()).isEqualTo("collection");
    assertThat(bundle.get("entry")).hasSize(1);
    JsonNode p = bundle.get("entry").get(0).get("resource");
    assertThat(p.get("resourceType").asString()).isEqualTo("Provenance");
    assertThat(p.get("target").get(0).get("identifier").get("value").asString())
        .isEqualTo("mesh-1");
    assertThat(p.get("target").get(0).get("extension").get(0).get("valueString").asString())
        .isEqualTo("11".repeat(32));
    assertThat(p.get("recorded").asString()).isEqualTo(T.toString());
    assertThat(p.get("activity").get("coding").get(0).get("code").asString())
        .isEqualTo("anatwin.threshold");
    assertThat(p.get("activity").get("coding").get(0).get("version").asString()).isEqualTo("2");
    assertThat(p.get("agent").get(0).get("who").get("identifier").get("value").asString())
        .isEqualTo("person:demo-planner");
    assertThat(p.get("entity").get(0).get("role").asString()).isEqualTo("source");
    assertThat(
            p.get("entity")
                .get(0)
                .get("what")
                .get("extension")
                .get(0)
                .get("valueString")
                .asString())
        .isEqualTo("22".repeat(32));
  }
}

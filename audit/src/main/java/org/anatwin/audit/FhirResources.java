package org.anatwin.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.anatwin.model.AuditEvent;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Audit events as FHIR R4 {@code AuditEvent} resources (the same DICOM event codes as the ATNA
 * messages) and lineage as a FHIR R4 {@code Bundle} of {@code Provenance} resources, one per
 * activity: its targets (what it generated), its time, its algorithm and version as the activity
 * coding, its agents (people, software, printers) and the entities it used, with their recorded
 * hashes as extensions.
 */
public final class FhirResources {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
  private static final String HASH = "urn:anatwin:sha256";

  private FhirResources() {}

  /** Event {@code sequence} (Merkle leaf {@code leafHash}) as an R4 AuditEvent. */
  public static String auditEvent(long sequence, String leafHash, AuditEvent e, String source) {
    ObjectNode r = JSON.createObjectNode();
    r.put("resourceType", "AuditEvent");
    r.put("id", "audit-event-" + sequence);
    AtnaMessages.Event event = AtnaMessages.event(e.action());
    coding(r.putObject("type"), DCM, event.code(), event.meaning());
    coding(r.putArray("subtype").addObject(), AtnaMessages.ACTIONS, e.action(), e.action());
    r.put("action", event.action());
    r.put("recorded", e.time().toString());
    boolean ok = e.outcome() == AuditEvent.Outcome.SUCCESS;
    r.put("outcome", ok ? "0" : "4");
    if (!ok) {
      r.put("outcomeDesc", e.detail());
    }
    ObjectNode agent = r.putArray("agent").addObject();
    coding(
        agent.putObject("type").putArray("coding").addObject(),
        "urn:anatwin:role",
        e.role(),
        e.role());
    agent.putObject("who").putObject("identifier").put("value", e.actor());
    agent.put("requestor", true);
    ObjectNode observer = r.putObject("source");
    observer.putObject("observer").put("display", source);
    coding(
        observer.putArray("type").addObject(),
        "http://terminology.hl7.org/CodeSystem/security-source-type",
        "4",
        "Application Server");
    ArrayNode entities = r.putArray("entity");
    for (String subject : e.subjects()) {
      boolean patient = subject.startsWith("patient-");
      ObjectNode entity = entities.addObject();
      entity.putObject("what").putObject("identifier").put("value", subject);
      coding(
          entity.putObject("type"),
          "http://terminology.hl7.org/CodeSystem/audit-entity-type",
          patient ? "1" : "2",
          patient ? "Person" : "System Object");
      if (patient) {
        coding(
            entity.putObject("role"),
            "http://terminology.hl7.org/CodeSystem/object-role",
            "1",
            "Patient");
      }
    }
    ObjectNode entry = entities.addObject();
    entry.putObject("what").putObject("identifier").put("value", "audit-event:" + sequence);
    coding(
        entry.putObject("type"),
        "http://terminology.hl7.org/CodeSystem/audit-entity-type",
        "2",
        "System Object");
    ArrayNode detail = entry.putArray("detail");
    detail.addObject().put("type", "leafHash").put("valueString", leafHash);
    detail.addObject().put("type", "detail").put("valueString", e.detail());
    return JSON.writeValueAsString(r);
  }

  /** The activities of a piece of lineage as an R4 Bundle (type collection) of Provenance. */
  public static String provenance(LineageGraph graph) {
    Map<String, LineageGraph.Node> nodes = new HashMap<>();
    graph.nodes().forEach(n -> nodes.put(n.id(), n));
    Map<String, List<String>> generated = new HashMap<>();
    Map<String, List<String>> used = new HashMap<>();
    Map<String, List<String>> agents = new HashMap<>();
    for (LineageGraph.Edge edge : graph.edges()) {
      switch (edge.relation()) {
        case "WAS_GENERATED_BY" ->
            generated.computeIfAbsent(edge.to(), a -> new ArrayList<>()).add(edge.from());
        case "USED" -> used.computeIfAbsent(edge.from(), a -> new ArrayList<>()).add(edge.to());
        case "WAS_ASSOCIATED_WITH" ->
            agents.computeIfAbsent(edge.from(), a -> new ArrayList<>()).add(edge.to());
        default -> {}
      }
    }
    ObjectNode bundle = JSON.createObjectNode();
    bundle.put("resourceType", "Bundle");
    bundle.put("type", "collection");
    ArrayNode entries = bundle.putArray("entry");
    for (LineageGraph.Node activity : graph.nodes()) {
      List<String> targets = generated.getOrDefault(activity.id(), List.of());
      if (!activity.kind().equals("Activity") || targets.isEmpty()) {
        continue;
      }
      ObjectNode r = entries.addObject().putObject("resource");
      r.put("resourceType", "Provenance");
      r.put("id", activity.id());
      ArrayNode target = r.putArray("target");
      targets.stream().sorted().forEach(id -> reference(target.addObject(), nodes.get(id), id));
      r.put("recorded", activity.properties().getOrDefault("time", ""));
      ObjectNode algorithm = r.putObject("activity").putArray("coding").addObject();
      String name = activity.properties().getOrDefault("algorithm", "");
      algorithm.put("system", "urn:anatwin:algorithm");
      algorithm.put("version", activity.properties().getOrDefault("algorithmVersion", ""));
      algorithm.put("code", name);
      algorithm.put("display", name);
      r.putArray("extension")
          .addObject()
          .put("url", "urn:anatwin:parameters")
          .put("valueString", activity.properties().getOrDefault("parameters", "{}"));
      ArrayNode agent = r.putArray("agent");
      List<String> who = agents.getOrDefault(activity.id(), List.of());
      for (String id : who.isEmpty() ? List.of("software:anatwin") : who) {
        LineageGraph.Node node = nodes.get(id);
        String kind = node == null ? "SOFTWARE" : node.properties().getOrDefault("kind", "");
        ObjectNode a = agent.addObject();
        coding(
            a.putObject("type").putArray("coding").addObject(),
            "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
            kind.equals("SOFTWARE") ? "assembler" : "performer",
            kind.equals("SOFTWARE") ? "Assembler" : "Performer");
        reference(a.putObject("who"), node, id);
      }
      ArrayNode inputs = r.putArray("entity");
      for (String id : used.getOrDefault(activity.id(), List.of()).stream().sorted().toList()) {
        LineageGraph.Node node = nodes.get(id);
        ObjectNode entity = inputs.addObject();
        entity.put(
            "role", node != null && node.kind().equals("Instance") ? "source" : "derivation");
        reference(entity.putObject("what"), node, id);
      }
      if (inputs.isEmpty()) {
        r.remove("entity");
      }
    }
    return JSON.writeValueAsString(bundle);
  }

  /** A reference by identifier, with the node's label and its recorded hash, if any. */
  private static void reference(ObjectNode ref, LineageGraph.@Nullable Node node, String id) {
    ref.putObject("identifier").put("value", id);
    if (node == null) {
      return;
    }
    ref.put("display", node.kind() + " " + node.label());
    String hash = node.properties().getOrDefault("datasetSha256", node.properties().get("sha256"));
    if (hash != null) {
      ref.putArray("extension").addObject().put("url", HASH).put("valueString", hash);
    }
  }

  private static void coding(ObjectNode coding, String system, String code, String display) {
    coding.put("system", system);
    coding.put("code", code);
    coding.put("display", display);
  }
}

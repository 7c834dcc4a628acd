package org.anatwin.api.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.anatwin.api.CurrentActor;
import org.anatwin.api.Pages;
import org.anatwin.audit.AuditLog;
import org.anatwin.audit.AuditVerification;
import org.anatwin.audit.LineageGraph;
import org.anatwin.audit.Provenance;
import org.anatwin.audit.Reproduction;
import org.anatwin.audit.StoredAuditEvent;
import org.anatwin.model.Actor;
import org.anatwin.model.AuditEvent;
import org.jspecify.annotations.Nullable;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;

@Controller
class AuditController {
  /** Properties that are patient data and never leave through lineage to a designer. */
  private static final List<String> PHI = org.anatwin.api.PhiReadAudit.PHI_PROPERTIES;

  /** The Audit Source ID of exported messages. */
  private static final String SOURCE = "anatwin";

  private final Provenance provenance;
  private final AuditLog auditLog;
  private final Reproduction reproduction;

  AuditController(Provenance provenance, AuditLog auditLog, Reproduction reproduction) {
    this.provenance = provenance;
    this.auditLog = auditLog;
    this.reproduction = reproduction;
  }

  record Property(String name, String value) implements org.anatwin.api.PhiReadAudit.PhiProperty {}

  record EventView(
      long sequence,
      String time,
      String actor,
      String role,
      String action,
      String outcome,
      List<String> subjects,
      String detail,
      String hash,
      AuditEvent event) {}

  record EventEdge(String cursor, EventView node) {}

  record PageInfo(boolean hasNextPage, @Nullable String endCursor) {}

  record EventConnection(List<EventEdge> edges, PageInfo pageInfo) {}

  /**
   * A lineage node as the API returns it: its properties already filtered for the caller (no PHI
   * for a designer), so a large graph is served by plain property reads, not a resolver per node.
   */
  record NodeView(
      String id, String kind, String label, List<Property> properties, Map<String, String> values)
      implements org.anatwin.api.PhiReadAudit.Subject {
    @Override
    public String subjectId() {
      return id;
    }
  }

  /** A lineage graph as the API returns it, with the graph it was made from. */
  record GraphView(List<NodeView> nodes, List<LineageGraph.Edge> edges, LineageGraph graph) {}

  @QueryMapping
  GraphView lineage(
      @Argument String of,
      @Argument LineageGraph.Direction direction,
      @Argument @Nullable Integer depth) {
    LineageGraph graph = provenance.lineage(of, direction, depth);
    boolean phi = CurrentActor.seesPhi();
    List<NodeView> nodes =
        graph.nodes().stream()
            .map(
                n -> {
                  Map<String, String> values = new java.util.TreeMap<>(n.properties());
                  if (!phi) {
                    values.keySet().removeAll(PHI);
                  }
                  return new NodeView(
                      n.id(),
                      n.kind(),
                      n.label(),
                      values.entrySet().stream()
                          .map(e -> new Property(e.getKey(), e.getValue()))
                          .toList(),
                      values);
                })
            .toList();
    return new GraphView(nodes, graph.edges(), graph);
  }

  @SchemaMapping(typeName = "LineageGraph")
  String fhirProvenance(GraphView view) {
    return org.anatwin.audit.FhirResources.provenance(view.graph());
  }

  @SchemaMapping(typeName = "AuditEvent")
  String atna(EventView view) {
    return org.anatwin.audit.AtnaMessages.message(
        view.sequence(), view.hash(), view.event(), SOURCE);
  }

  @SchemaMapping(typeName = "AuditEvent")
  String fhir(EventView view) {
    return org.anatwin.audit.FhirResources.auditEvent(
        view.sequence(), view.hash(), view.event(), SOURCE);
  }

  @SchemaMapping(typeName = "LineageNode")
  @Nullable String property(NodeView node, @Argument String name) {
    return node.values().get(name);
  }

  @QueryMapping
  EventConnection auditEvents(
      @Argument @Nullable String subject,
      @Argument @Nullable Integer first,
      @Argument @Nullable String after) {
    int size = Pages.size(first);
    Long before = after == null ? null : Long.parseLong(after);
    List<StoredAuditEvent> rows = auditLog.events(subject, before, size + 1);
    List<EventEdge> edges =
        rows.subList(0, Math.min(size, rows.size())).stream()
            .map(
                r -> {
                  AuditEvent e = r.event();
                  return new EventEdge(
                      Long.toString(r.sequence()),
                      new EventView(
                          r.sequence(),
                          e.time().toString(),
                          e.actor(),
                          e.role(),
                          e.action(),
                          e.outcome().name(),
                          e.subjects(),
                          e.detail(),
                          r.leafHash() == null
                              ? java.util.HexFormat.of()
                                  .formatHex(AuditLog.leaf(r.sequence(), r.event()))
                              : r.leafHash(),
                          e));
                })
            .toList();
    Actor actor = CurrentActor.get();
    auditLog.append(
        AuditEvent.success(
            Instant.now(),
            actor,
            "audit.read",
            subject == null ? List.of() : List.of(subject),
            "events=" + edges.size()));
    return new EventConnection(
        edges, new PageInfo(rows.size() > size, edges.isEmpty() ? null : edges.getLast().cursor()));
  }

  @QueryMapping
  AuditVerification verifyAuditLog() {
    AuditVerification result = auditLog.verify();
    audited(
        "audit.verify",
        List.of(),
        "valid=" + result.valid() + " events=" + result.events() + " root=" + result.headHash());
    return result;
  }

  @QueryMapping
  AuditLog.Proof auditInclusionProof(@Argument long sequence, @Argument @Nullable Long treeSize) {
    AuditLog.Proof proof = auditLog.inclusionProof(sequence, treeSize);
    audited("audit.proof", List.of(), "inclusion of " + sequence + " in " + proof.treeSize());
    return proof;
  }

  @QueryMapping
  AuditLog.Proof auditConsistencyProof(@Argument long from, @Argument @Nullable Long to) {
    AuditLog.Proof proof = auditLog.consistencyProof(from, to);
    audited("audit.proof", List.of(), "consistency of " + from + " with " + proof.treeSize());
    return proof;
  }

  @QueryMapping
  List<org.anatwin.audit.Checkpoint> auditCheckpoints(@Argument @Nullable Integer last) {
    List<org.anatwin.audit.Checkpoint> all = auditLog.checkpoints();
    int n = last == null ? 20 : Math.max(0, Math.min(last, 1000));
    return all.subList(Math.max(0, all.size() - n), all.size());
  }

  @QueryMapping
  Reproduction.Report reproduce(@Argument String entity) {
    return reproduction.reproduce(entity, CurrentActor.get());
  }

  @SchemaMapping(typeName = "ReproductionStep")
  List<Property> parameters(Reproduction.Step step) {
    return new java.util.TreeMap<>(step.parameters())
        .entrySet().stream().map(e -> new Property(e.getKey(), e.getValue())).toList();
  }

  /** Reading the audit trail is itself an audit event. */
  private void audited(String action, List<String> subjects, String detail) {
    Actor actor = CurrentActor.get();
    auditLog.append(AuditEvent.success(Instant.now(), actor, action, subjects, detail));
  }
}

package org.anatwin.printorders.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.anatwin.model.Activity;
import org.anatwin.model.ArtefactId;
import org.anatwin.model.PrintJobId;
import org.anatwin.model.PrintOrderId;
import org.anatwin.printorders.Artefact;
import org.anatwin.printorders.IntendedUse;
import org.anatwin.printorders.OrderEvent;
import org.anatwin.printorders.PrintJob;
import org.anatwin.printorders.PrintOrder;
import org.anatwin.printorders.Printer;
import org.anatwin.storage.Graph;
import org.anatwin.storage.LineageWriter;
import org.neo4j.driver.Record;
import org.neo4j.driver.TransactionContext;
import org.neo4j.driver.Value;

/** Every Cypher statement of print orders, their events, jobs, artefacts and printers. */
public final class PrintOrderRepository {
  private static final String MESHES =
      """
      MATCH (m:Mesh) WHERE m.id IN $ids
      RETURN m.id AS id, m.sha256 AS sha256, m.watertight AS watertight, m.structure AS structure,
             coalesce(m.manifold, false) AS manifold, coalesce(m.selfIntersections, -1) AS selfIntersections,
             m.wallThicknessMm AS wall, m.designKind AS designKind
      """;
  private static final String CREATE_ORDER =
      """
      CREATE (o:PrintOrder:Entity {id: $id, intendedUse: $use, material: $material, copies: $copies,
                                   scale: $scale, clinicalNote: $note, dueBy: $due, createdBy: $actor,
                                   createdAt: $time, label: $label})
      WITH o
      UNWIND $meshes AS meshId
      MATCH (m:Mesh {id: meshId})
      CREATE (o)-[:OF_MESH]->(m)
      """;
  private static final String LOCK_ORDER =
      "MATCH (o:PrintOrder {id: $id}) SET o.locked = true RETURN o.id AS id";
  private static final String ORDERS =
      """
      MATCH (o:PrintOrder) WHERE o.id IN $ids
      OPTIONAL MATCH (o)-[:OF_MESH]->(m:Mesh)
      WITH o, collect(m.id) AS meshes
      OPTIONAL MATCH (o)-[:HAS_EVENT]->(e:OrderEvent)
      WITH o, meshes, e ORDER BY e.seq
      RETURN o {.*} AS o, meshes, collect(e {.*}) AS events
      """;
  private static final String APPEND_EVENT =
      """
      MATCH (o:PrintOrder {id: $order})
      CREATE (o)-[:HAS_EVENT]->(e:OrderEvent {id: $order + '/' + toString($seq), seq: $seq})
      SET e += $fields, o.locked = false
      """;
  private static final String CREATE_APPROVAL =
      """
      CREATE (:Approval:Entity {id: $id, orderId: $order, approved: $approved, meaning: $meaning,
                                reason: $reason, signer: $signer, role: $role, time: $time, label: $label})
      """;
  private static final String APPROVAL_OF =
      """
      MATCH (a:Approval {orderId: $order, approved: true}) RETURN a.id AS id ORDER BY a.time DESC LIMIT 1
      """;
  private static final String NEXT_SERIAL =
      """
      MERGE (c:Counter {id: 'artefact-serial'}) ON CREATE SET c.value = 0
      SET c.value = c.value + 1
      RETURN c.value AS value
      """;
  private static final String CREATE_JOB =
      """
      MATCH (o:PrintOrder {id: $order})
      CREATE (j:PrintJob:Entity {id: $id, orderId: $order, printerId: $printer, state: $state,
                                 submittedAt: $time, location: $location, label: $label,
                                 material: o.material, materialLot: $lot})
      CREATE (o)-[:HAS_JOB]->(j)
      """;
  private static final String MERGE_LOT =
      """
      MERGE (l:MaterialLot:Entity {id: $id})
        ON CREATE SET l.material = $material, l.lot = $lot, l.label = $material + ' lot ' + $lot
      """;
  private static final String CREATE_ARTEFACT =
      """
      MATCH (j:PrintJob {id: $job})
      CREATE (a:Artefact:Entity {id: $id, serialNumber: $serial, orderId: $order, jobId: $job,
                                 printerId: $printer, copy: $copy, printedAt: $time, label: $serial,
                                 material: j.material, materialLot: j.materialLot})
      CREATE (j)-[:PRODUCED]->(a)
      """;
  private static final String APPEND_JOB_EVENT =
      """
      MATCH (j:PrintJob {id: $job})
      SET j.locked = true
      WITH j
      OPTIONAL MATCH (j)-[:HAS_EVENT]->(e:PrintJobEvent)
      WITH j, coalesce(max(e.seq), 0) AS last
      WHERE last = $expected
      CREATE (j)-[:HAS_EVENT]->(:PrintJobEvent {jobId: j.id, orderId: j.orderId, seq: last + 1,
                                                state: $state, completion: $completion,
                                                detail: $detail, time: $time})
      SET j.state = $state, j.locked = false
      RETURN last + 1 AS seq
      """;
  private static final String JOB_EVENTS =
      """
      MATCH (j:PrintJob)-[:HAS_EVENT]->(e:PrintJobEvent) WHERE j.id IN $ids
      RETURN e {.*} AS e ORDER BY e.jobId, e.seq
      """;
  private static final String OPEN_JOBS =
      """
      MATCH (j:PrintJob) WHERE j.state IN ['QUEUED', 'PRINTING']
      RETURN j.id AS id, j.orderId AS order, j.printerId AS printer, j.location AS location,
             j.materialLot AS lot
      ORDER BY j.submittedAt
      """;

  /** One thing a printer said about a job, in order ({@code seq} from 1, no gaps). */
  public record JobEventRow(
      String jobId,
      String orderId,
      int seq,
      String state,
      double completion,
      @org.jspecify.annotations.Nullable String detail,
      String time) {}

  /** A job still waiting for or on its printer. */
  public record OpenJob(
      String id,
      String orderId,
      String printerId,
      String location,
      @org.jspecify.annotations.Nullable String materialLot) {}

  /**
   * A write appending a job event after the {@code expected} one; it fails (and the transaction
   * with it) when another poller appended first, so an event is never recorded twice.
   */
  public static java.util.function.Consumer<TransactionContext> jobEvent(
      String job,
      int expected,
      String state,
      double completion,
      @org.jspecify.annotations.Nullable String detail,
      Instant time) {
    return tx -> {
      Map<String, Object> p = new HashMap<>();
      p.put("job", job);
      p.put("expected", expected);
      p.put("state", state);
      p.put("completion", completion);
      p.put("detail", detail);
      p.put("time", time.toString());
      if (tx.run(APPEND_JOB_EVENT, p).list().isEmpty()) {
        throw new org.anatwin.printorders.PrintOrderException(
            "print-orders:job.concurrent-update",
            "job " + job + " moved on while this status was recorded; it is polled again");
      }
    };
  }

  /** Each job's events, in order. */
  public Map<String, List<JobEventRow>> jobEvents(List<String> jobIds) {
    return graph.read(
        tx -> {
          Map<String, List<JobEventRow>> out = new HashMap<>();
          for (Record r : tx.run(JOB_EVENTS, Map.of("ids", jobIds)).list()) {
            Value e = r.get("e");
            JobEventRow row =
                new JobEventRow(
                    e.get("jobId").asString(),
                    e.get("orderId").asString(),
                    e.get("seq").asInt(),
                    e.get("state").asString(),
                    e.get("completion").asDouble(),
                    e.get("detail").isNull() ? null : e.get("detail").asString(),
                    e.get("time").asString());
            out.computeIfAbsent(row.jobId(), k -> new ArrayList<>()).add(row);
          }
          return out;
        });
  }

  /** Jobs queued or printing, oldest first: what a poller resumes after a restart. */
  public List<OpenJob> openJobs() {
    return graph.read(
        tx ->
            tx.run(OPEN_JOBS)
                .list(
                    r ->
                        new OpenJob(
                            r.get("id").asString(),
                            r.get("order").asString(),
                            r.get("printer").asString(),
                            r.get("location").asString(),
                            r.get("lot").isNull() ? null : r.get("lot").asString())));
  }

  /** A write recording artefacts of a job. */
  public static java.util.function.Consumer<TransactionContext> artefacts(
      List<Artefact> artefacts) {
    return tx -> {
      for (Artefact a : artefacts) {
        tx.run(
                CREATE_ARTEFACT,
                Map.of(
                    "id", a.id().value(),
                    "serial", a.serialNumber(),
                    "order", a.orderId(),
                    "job", a.jobId(),
                    "printer", a.printerId(),
                    "copy", a.copy(),
                    "time", a.printedAt().toString()))
            .consume();
      }
    };
  }

  private static final String JOBS_OF_ORDERS =
      """
      MATCH (o:PrintOrder)-[:HAS_JOB]->(j:PrintJob) WHERE o.id IN $ids
      OPTIONAL MATCH (j)-[:PRODUCED]->(a:Artefact)
      WITH o, j, a ORDER BY a.copy
      RETURN o.id AS owner, j {.*} AS j, collect(a {.*}) AS artefacts ORDER BY j.submittedAt
      """;
  private static final String NEWEST_ORDERS =
      "MATCH (o:PrintOrder) RETURN o.id AS id ORDER BY o.createdAt DESC, o.id DESC SKIP $skip LIMIT $limit";
  private static final String ARTEFACT = "MATCH (a:Artefact {id: $id}) RETURN a {.*} AS a";
  private static final String MERGE_PRINTER =
      "MERGE (p:Printer {id: $id}) ON CREATE SET p.name = $name, p.technology = $technology, p.driver = $driver";
  private static final String PRINTERS = "MATCH (p:Printer) RETURN p {.*} AS p ORDER BY p.id";

  private static final String CREATE_QA =
      """
      MATCH (a:Artefact {id: $artefact})
      CREATE (q:ArtefactQa:Entity)
      SET q = $fields
      CREATE (a)-[:HAS_QA]->(q)
      """;
  private static final String QA_OF =
      """
      MATCH (a:Artefact)-[:HAS_QA]->(q:ArtefactQa) WHERE a.id IN $ids
      RETURN q {.*} AS q ORDER BY q.time
      """;
  private static final String RECALL =
      """
      MATCH (a:Artefact)
      WHERE ($printer IS NULL OR a.printerId = $printer)
        AND ($material IS NULL OR a.material = $material)
        AND ($lot IS NULL OR a.materialLot = $lot)
        AND ($profile IS NULL OR EXISTS {
              MATCH (a)-[:WAS_DERIVED_FROM]->(:Preparation {profileSha256: $profile}) })
        AND ($agent IS NULL OR EXISTS {
              MATCH (a)-[:WAS_DERIVED_FROM*0..24]->(:Entity)-[:WAS_GENERATED_BY]->(:Activity)
                    -[:WAS_ASSOCIATED_WITH]->(:Agent {id: $agent}) })
      RETURN a {.*} AS a ORDER BY a.printedAt, a.serialNumber
      LIMIT $limit
      """;

  private static final String SEGMENTATION_APPROVALS =
      """
      UNWIND $ids AS meshId
      MATCH (v:TwinVersion)-[:HAS_STRUCTURE]->(:Structure)-[:HAS_MESH]->(m:Mesh {id: meshId})
      OPTIONAL MATCH (v)-[:HAS_SEGMENTATION_REVIEW]->(own:SegmentationReview {approved: true})
      OPTIONAL MATCH (v)-[:PARENT*1..32]->(:TwinVersion)
                     -[:HAS_SEGMENTATION_REVIEW]->(base:SegmentationReview {approved: true})
        WHERE m.designKind IS NOT NULL
      WITH meshId, coalesce(own, base) AS review
      WHERE review IS NOT NULL
      RETURN meshId, min(review.id) AS review
      """;

  private static final String PATIENTS_OF_MESHES =
      """
      UNWIND $ids AS meshId
      MATCH (v:TwinVersion)-[:HAS_STRUCTURE]->(:Structure)-[:HAS_MESH]->(:Mesh {id: meshId})
      MATCH (v)-[:FROM_SERIES]->(:Series)<-[:HAS_SERIES]-(:Study)<-[:HAS_STUDY]-(p:Patient)
      RETURN DISTINCT p.id AS patient
      """;
  private static final String LABELS =
      """
      MATCH (a:Artefact) WHERE a.id IN $ids
      MATCH (o:PrintOrder {id: a.orderId})-[:OF_MESH]->(m:Mesh)
      OPTIONAL MATCH (v:TwinVersion)-[:HAS_STRUCTURE]->(s:Structure)-[:HAS_MESH]->(m)
      OPTIONAL MATCH (v)-[:FROM_SERIES]->(:Series)<-[:HAS_SERIES]-(:Study)<-[:HAS_STUDY]-(p:Patient)
      WITH a, o, collect(DISTINCT s.name) AS structures,
           collect(DISTINCT p {.name, .patientId, .birthDate, .pseudonym}) AS patients
      RETURN a.id AS artefact, o.intendedUse AS use, o.scale AS scale, o.copies AS copies,
             coalesce(o.clinicalNote, '') AS note, structures, patients
      """;

  private final Graph graph;

  public PrintOrderRepository(Graph graph) {
    this.graph = graph;
  }

  /** What the order needs to know of a mesh. */
  public record MeshRow(
      String id,
      String sha256,
      boolean watertight,
      String structure,
      boolean manifold,
      long selfIntersections,
      double wallThicknessMm,
      @org.jspecify.annotations.Nullable String designKind) {}

  public List<MeshRow> meshes(List<String> ids) {
    return graph.read(
        tx ->
            tx.run(MESHES, Map.of("ids", ids))
                .list(
                    r ->
                        new MeshRow(
                            r.get("id").asString(),
                            r.get("sha256").asString(),
                            r.get("watertight").asBoolean(),
                            r.get("structure").asString(),
                            r.get("manifold").asBoolean(),
                            r.get("selfIntersections").asLong(),
                            r.get("wall").isNull() ? Double.NaN : r.get("wall").asDouble(),
                            r.get("designKind").isNull() ? null : r.get("designKind").asString())));
  }

  private static final String CREATE_PREPARATION =
      """
      MATCH (o:PrintOrder {id: $order})
      CREATE (p:Preparation:Entity)
      SET p = $fields
      CREATE (o)-[:HAS_PREPARATION]->(p)
      """;
  private static final String PREPARATIONS =
      """
      MATCH (o:PrintOrder)-[:HAS_PREPARATION]->(p:Preparation) WHERE o.id IN $ids
      RETURN o.id AS order, p {.*} AS p ORDER BY p.time
      """;

  /** A write that records a preparation entity (plate, G-code and 3MF hashes, figures). */
  public static java.util.function.Consumer<TransactionContext> preparation(
      PrintOrderId order, Map<String, Object> fields) {
    return tx ->
        tx.run(CREATE_PREPARATION, Map.of("order", order.value(), "fields", fields)).consume();
  }

  /** Each order's newest preparation, as stored. */
  public Map<String, Map<String, Object>> preparations(List<String> orderIds) {
    return graph.read(
        tx -> {
          Map<String, Map<String, Object>> out = new HashMap<>();
          for (Record r : tx.run(PREPARATIONS, Map.of("ids", orderIds)).list()) {
            out.put(r.get("order").asString(), r.get("p").asMap());
          }
          return out;
        });
  }

  /** Creates the order with its first event and lineage in one transaction. */
  public void create(PrintOrder order, Activity lineage) {
    graph.write(
        tx -> {
          Map<String, Object> p = new HashMap<>();
          p.put("id", order.id().value());
          p.put("use", order.intendedUse().name());
          p.put("material", order.material());
          p.put("copies", order.copies());
          p.put("scale", order.scale());
          p.put("note", order.clinicalNote());
          p.put("due", order.dueBy() == null ? null : order.dueBy().toString());
          p.put("actor", order.createdBy());
          p.put("time", order.createdAt().toString());
          p.put("meshes", order.meshIds());
          p.put("label", "print order " + order.id().value().substring(12, 20));
          tx.run(CREATE_ORDER, p).consume();
          appendEvent(tx, order.id(), 1, order.events().getFirst());
          LineageWriter.write(tx, lineage);
          return null;
        });
  }

  /**
   * Locks the order, reads it, lets {@code decide} check the transition and name what to write,
   * then writes it all in the same transaction.
   */
  public <T> T transition(PrintOrderId id, Function<PrintOrder, Change<T>> decide) {
    return graph.write(
        tx -> {
          if (tx.run(LOCK_ORDER, Map.of("id", id.value())).list().isEmpty()) {
            throw new org.anatwin.printorders.PrintOrderException(
                "print-orders:order.unknown", "no print order " + id);
          }
          PrintOrder order = orders(tx, List.of(id.value())).getFirst();
          Change<T> change = decide.apply(order);
          if (change.event() != null) {
            change.event().apply(order.state());
          }
          change.writes().forEach(w -> w.accept(tx));
          if (change.event() != null) {
            appendEvent(tx, id, order.events().size() + 1, change.event());
          }
          change.lineage().forEach(a -> LineageWriter.write(tx, a));
          return change.result();
        });
  }

  /** A checked transition: the event, extra writes, lineage, and what to return. */
  public record Change<T>(
      @org.jspecify.annotations.Nullable OrderEvent event,
      List<java.util.function.Consumer<TransactionContext>> writes,
      List<Activity> lineage,
      T result) {}

  /** A write that records an approval entity. */
  public static java.util.function.Consumer<TransactionContext> approval(
      String id, PrintOrderId order, OrderEvent.Decided d) {
    return tx ->
        tx.run(
                CREATE_APPROVAL,
                Map.of(
                    "id",
                    id,
                    "order",
                    order.value(),
                    "approved",
                    d.approved(),
                    "meaning",
                    d.meaning(),
                    "reason",
                    d.reason(),
                    "signer",
                    d.actor(),
                    "role",
                    d.role(),
                    "time",
                    d.time().toString(),
                    "label",
                    (d.approved() ? "approved by " : "rejected by ") + d.actor()))
            .consume();
  }

  /**
   * A write that records a job (no artefacts yet) and, when the technician named one, the material
   * lot it prints from as an entity the print will use.
   */
  public static java.util.function.Consumer<TransactionContext> job(
      PrintJob job, String material, String location) {
    return tx -> {
      Map<String, Object> p = new HashMap<>();
      p.put("id", job.id().value());
      p.put("order", job.order().value());
      p.put("printer", job.printerId());
      p.put("state", job.state());
      p.put("time", job.submittedAt().toString());
      p.put("location", location);
      p.put("label", "print job on " + job.printerId());
      p.put("lot", job.materialLot());
      tx.run(CREATE_JOB, p).consume();
      if (job.materialLot() != null) {
        tx.run(
                MERGE_LOT,
                Map.of(
                    "id",
                    lotId(material, job.materialLot()),
                    "material",
                    material,
                    "lot",
                    job.materialLot()))
            .consume();
      }
    };
  }

  /** The lineage id of a material lot. */
  public static String lotId(String material, String lot) {
    return org.anatwin.model.DerivedIds.createId("material-lot", material, lot);
  }

  /** A write that records a QA measurement of an artefact. */
  public static java.util.function.Consumer<TransactionContext> qa(
      String artefactId, Map<String, Object> fields) {
    return tx -> tx.run(CREATE_QA, Map.of("artefact", artefactId, "fields", fields)).consume();
  }

  /** The QA measurements of these artefacts, as stored, oldest first, by artefact id. */
  public Map<String, List<Map<String, Object>>> qaOf(List<String> artefactIds) {
    return graph.read(
        tx -> {
          Map<String, List<Map<String, Object>>> out = new HashMap<>();
          for (Record r : tx.run(QA_OF, Map.of("ids", artefactIds)).list()) {
            Map<String, Object> q = r.get("q").asMap();
            out.computeIfAbsent((String) q.get("artefactId"), k -> new ArrayList<>()).add(q);
          }
          return out;
        });
  }

  /**
   * Artefacts matching every criterion given (null ones are ignored): printer, material, material
   * lot, slicer profile hash, and an agent (software at a version, a person, a printer) associated
   * with any activity upstream of the artefact.
   */
  public List<Artefact> recall(
      @org.jspecify.annotations.Nullable String printer,
      @org.jspecify.annotations.Nullable String material,
      @org.jspecify.annotations.Nullable String lot,
      @org.jspecify.annotations.Nullable String profileSha256,
      @org.jspecify.annotations.Nullable String agentId,
      int limit) {
    Map<String, Object> p = new HashMap<>();
    p.put("printer", printer);
    p.put("material", material);
    p.put("lot", lot);
    p.put("profile", profileSha256);
    p.put("agent", agentId);
    p.put("limit", limit);
    return graph.read(tx -> tx.run(RECALL, p).list(r -> artefact(r.get("a"))));
  }

  /**
   * For each mesh whose segmentation a radiologist approved, the approving review: the review of a
   * version holding it, or for a design, of a version it was designed on (an ancestor). Meshes
   * without one are left out.
   */
  public Map<String, String> segmentationApprovals(List<String> meshIds) {
    return graph.read(
        tx -> {
          Map<String, String> out = new HashMap<>();
          for (Record r : tx.run(SEGMENTATION_APPROVALS, Map.of("ids", meshIds)).list()) {
            out.put(r.get("meshId").asString(), r.get("review").asString());
          }
          return out;
        });
  }

  /** The patients (their keys) whose images the meshes were made from. */
  public List<String> patientsOf(List<String> meshIds) {
    return graph.read(
        tx ->
            tx.run(PATIENTS_OF_MESHES, Map.of("ids", meshIds))
                .list(r -> r.get("patient").asString()));
  }

  /** What each artefact's label needs beyond the artefact: order, structures, patient. */
  public record LabelRow(
      String artefactId,
      String intendedUse,
      double scale,
      int copies,
      String clinicalNote,
      List<String> structures,
      @org.jspecify.annotations.Nullable Map<String, Object> patient) {}

  public Map<String, LabelRow> labels(List<String> artefactIds) {
    return graph.read(
        tx -> {
          Map<String, LabelRow> out = new HashMap<>();
          for (Record r : tx.run(LABELS, Map.of("ids", artefactIds)).list()) {
            List<Map<String, Object>> patients = r.get("patients").asList(Value::asMap);
            out.put(
                r.get("artefact").asString(),
                new LabelRow(
                    r.get("artefact").asString(),
                    r.get("use").asString(),
                    r.get("scale").asDouble(),
                    r.get("copies").asInt(),
                    r.get("note").asString(),
                    r.get("structures").asList(Value::asString),
                    patients.size() == 1 ? patients.getFirst() : null));
          }
          return out;
        });
  }

  public Optional<String> approvalOf(PrintOrderId order) {
    return graph.read(
        tx ->
            tx
                .run(APPROVAL_OF, Map.of("order", order.value()))
                .list(r -> r.get("id").asString())
                .stream()
                .findFirst());
  }

  /** Reserves the next artefact serial numbers. */
  public List<Long> nextSerials(int count) {
    return graph.write(
        tx -> {
          List<Long> out = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            out.add(tx.run(NEXT_SERIAL).single().get("value").asLong());
          }
          return out;
        });
  }

  public List<PrintOrder> orders(List<String> ids) {
    return graph.read(tx -> orders(tx, ids));
  }

  /** A page of orders, newest first: {@code limit} of them after the newest {@code skip}. */
  public List<PrintOrder> newest(int skip, int limit) {
    return graph.read(
        tx -> {
          List<String> ids =
              tx.run(NEWEST_ORDERS, Map.of("skip", skip, "limit", limit))
                  .list(r -> r.get("id").asString());
          Map<String, PrintOrder> byId = new HashMap<>();
          for (PrintOrder o : orders(tx, ids)) {
            byId.put(o.id().value(), o);
          }
          return ids.stream().map(byId::get).filter(java.util.Objects::nonNull).toList();
        });
  }

  public Map<String, List<PrintJob>> jobsOf(List<String> orderIds) {
    return graph.read(
        tx -> {
          Map<String, List<PrintJob>> out = new HashMap<>();
          for (Record r : tx.run(JOBS_OF_ORDERS, Map.of("ids", orderIds)).list()) {
            Value j = r.get("j");
            List<Artefact> artefacts = r.get("artefacts").asList(a -> artefact(a));
            out.computeIfAbsent(r.get("owner").asString(), k -> new ArrayList<>())
                .add(
                    new PrintJob(
                        PrintJobId.parse(j.get("id").asString()),
                        PrintOrderId.parse(j.get("orderId").asString()),
                        j.get("printerId").asString(),
                        j.get("state").asString(),
                        Instant.parse(j.get("submittedAt").asString()),
                        j.get("materialLot").isNull() ? null : j.get("materialLot").asString(),
                        artefacts));
          }
          return out;
        });
  }

  public Optional<Artefact> artefact(ArtefactId id) {
    return graph.read(
        tx ->
            tx.run(ARTEFACT, Map.of("id", id.value())).list(r -> artefact(r.get("a"))).stream()
                .findFirst());
  }

  public void registerPrinter(Printer printer) {
    graph.write(
        tx ->
            tx.run(
                    MERGE_PRINTER,
                    Map.of(
                        "id",
                        printer.id(),
                        "name",
                        printer.name(),
                        "technology",
                        printer.technology(),
                        "driver",
                        printer.driver()))
                .consume());
  }

  public List<Printer> printers() {
    return graph.read(
        tx ->
            tx.run(PRINTERS)
                .list(
                    r -> {
                      Value p = r.get("p");
                      return new Printer(
                          p.get("id").asString(),
                          p.get("name").asString(),
                          p.get("technology").asString(),
                          p.get("driver").asString());
                    }));
  }

  private static Artefact artefact(Value a) {
    return new Artefact(
        ArtefactId.parse(a.get("id").asString()),
        a.get("serialNumber").asString(),
        a.get("orderId").asString(),
        a.get("jobId").asString(),
        a.get("printerId").asString(),
        a.get("copy").asInt(),
        Instant.parse(a.get("printedAt").asString()),
        a.get("material").asString(""),
        a.get("materialLot").isNull() ? null : a.get("materialLot").asString());
  }

  private static List<PrintOrder> orders(TransactionContext tx, List<String> ids) {
    return tx.run(ORDERS, Map.of("ids", ids))
        .list(
            r -> {
              Value o = r.get("o");
              List<OrderEvent> events = r.get("events").asList(PrintOrderRepository::event);
              return new PrintOrder(
                  PrintOrderId.parse(o.get("id").asString()),
                  r.get("meshes").asList(Value::asString),
                  IntendedUse.valueOf(o.get("intendedUse").asString()),
                  o.get("material").asString(),
                  o.get("copies").asInt(),
                  o.get("scale").asDouble(),
                  o.get("clinicalNote").asString(""),
                  o.get("dueBy").isNull() ? null : Instant.parse(o.get("dueBy").asString()),
                  o.get("createdBy").asString(),
                  Instant.parse(o.get("createdAt").asString()),
                  events);
            });
  }

  private static void appendEvent(
      TransactionContext tx, PrintOrderId order, int seq, OrderEvent event) {
    Map<String, Object> fields = new HashMap<>();
    fields.put("actor", event.actor());
    fields.put("role", event.role());
    fields.put("time", event.time().toString());
    switch (event) {
      case OrderEvent.Submitted s -> fields.put("type", "SUBMITTED");
      case OrderEvent.Decided d -> {
        fields.put("type", "DECIDED");
        fields.put("approved", d.approved());
        fields.put("meaning", d.meaning());
        fields.put("reason", d.reason());
      }
      case OrderEvent.Prepared p -> {
        fields.put("type", "PREPARED");
        fields.put("printerId", p.printerId());
      }
      case OrderEvent.Printed p -> {
        fields.put("type", "PRINTED");
        fields.put("jobId", p.jobId());
      }
      case OrderEvent.Queued q -> {
        fields.put("type", "QUEUED");
        fields.put("jobId", q.jobId());
      }
      case OrderEvent.Started st -> {
        fields.put("type", "STARTED");
        fields.put("jobId", st.jobId());
      }
      case OrderEvent.Failed f -> {
        fields.put("type", "FAILED");
        fields.put("jobId", f.jobId());
        fields.put("reason", f.reason());
      }
      case OrderEvent.QaRecorded q -> {
        fields.put("type", "QA_RECORDED");
        fields.put("artefactId", q.artefactId());
        fields.put("passed", q.passed());
        fields.put("qaId", q.qaId());
      }
      case OrderEvent.Delivered d -> {
        fields.put("type", "DELIVERED");
        fields.put("artefactId", d.artefactId());
        fields.put("recipient", d.recipient());
      }
      case OrderEvent.Cancelled c -> {
        fields.put("type", "CANCELLED");
        fields.put("reason", c.reason());
      }
    }
    tx.run(APPEND_EVENT, Map.of("order", order.value(), "seq", seq, "fields", fields)).consume();
  }

  private static OrderEvent event(Value e) {
    String actor = e.get("actor").asString();
    String role = e.get("role").asString();
    Instant time = Instant.parse(e.get("time").asString());
    return switch (e.get("type").asString()) {
      case "SUBMITTED" -> new OrderEvent.Submitted(actor, role, time);
      case "DECIDED" ->
          new OrderEvent.Decided(
              actor,
              role,
              time,
              e.get("approved").asBoolean(),
              e.get("meaning").asString(),
              e.get("reason").asString());
      case "PREPARED" -> new OrderEvent.Prepared(actor, role, time, e.get("printerId").asString());
      case "PRINTED" -> new OrderEvent.Printed(actor, role, time, e.get("jobId").asString());
      case "QUEUED" -> new OrderEvent.Queued(actor, role, time, e.get("jobId").asString());
      case "STARTED" -> new OrderEvent.Started(actor, role, time, e.get("jobId").asString());
      case "FAILED" ->
          new OrderEvent.Failed(
              actor, role, time, e.get("jobId").asString(), e.get("reason").asString());
      case "QA_RECORDED" ->
          new OrderEvent.QaRecorded(
              actor,
              role,
              time,
              e.get("artefactId").asString(),
              e.get("passed").asBoolean(),
              e.get("qaId").asString());
      case "DELIVERED" ->
          new OrderEvent.Delivered(
              actor, role, time, e.get("artefactId").asString(), e.get("recipient").asString());
      case "CANCELLED" -> new OrderEvent.Cancelled(actor, role, time, e.get("reason").asString());
      default ->
          throw new IllegalStateException("unknown order event type " + e.get("type").asString());
    };
  }
}

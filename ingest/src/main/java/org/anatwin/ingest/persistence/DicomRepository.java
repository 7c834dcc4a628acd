package org.anatwin.ingest.persistence;

import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.anatwin.ingest.internal.DicomInstance;
import org.anatwin.model.Activity;
import org.anatwin.model.Agent;
import org.anatwin.model.ContentHash;
import org.anatwin.model.PatientKey;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.SopInstanceUid;
import org.anatwin.model.SourceInstance;
import org.anatwin.storage.Graph;
import org.anatwin.storage.LineageWriter;
import org.jspecify.annotations.Nullable;
import org.neo4j.driver.Record;
import org.neo4j.driver.Value;
import org.neo4j.driver.exceptions.ClientException;

/** Every Cypher statement of the DICOM hierarchy: Patient, Study, Series, Instance. */
public final class DicomRepository {
  /**
   * Creates each instance of a group (distinct SOP Instance UIDs) with its patient, study and
   * series, and the activity that received it, unless an instance with its UID exists; returns per
   * UID that instance's dataset hash then (null when created) and, for a created one, the counts
   * {@link LineageWriter#check} needs. One round trip for the whole group.
   */
  private static final String FIND_OR_CREATE_INSTANCES =
      """
      UNWIND $rows AS row
      OPTIONAL MATCH (old:Instance {sopInstanceUid: row.sop})
      FOREACH (_ IN CASE WHEN old IS NULL THEN [1] ELSE [] END |
        MERGE (p:Patient {id: row.patientKey})
          ON CREATE SET p.patientId = row.patientId, p.issuer = row.issuer, p.name = row.patientName,
                        p.birthDate = row.birthDate, p.sex = row.sex, p.pseudonym = row.pseudonym
        MERGE (st:Study {uid: row.studyUid})
          ON CREATE SET st.date = row.studyDate, st.description = row.studyDescription,
                        st.accessionNumber = row.accession
        MERGE (p)-[:HAS_STUDY]->(st)
        MERGE (se:Series {uid: row.seriesUid})
          ON CREATE SET se.modality = row.modality, se.bodyPart = row.bodyPart,
                        se.description = row.seriesDescription,
                        se.number = row.seriesNumber, se.frameOfReferenceUid = row.frame
        MERGE (st)-[:HAS_SERIES]->(se)
        CREATE (i:Instance:Entity {id: row.id, sopInstanceUid: row.sop, sopClassUid: row.sopClass,
                                   sha256: row.sha256, datasetSha256: row.datasetSha256,
                                   instanceNumber: row.instanceNumber, size: row.size,
                                   receivedAt: row.receivedAt})
        CREATE (se)-[:HAS_INSTANCE]->(i))
      WITH row, old
      OPTIONAL CALL (row, old) {
        WITH row, old WHERE old IS NULL
        WITH row.activity AS act
      """
          + LineageWriter.ACTIVITY_OF_ACT
          + """
        RETURN generated, used
      }
      RETURN row.sop AS sop, old.datasetSha256 AS existing, generated, used
      """;

  private static final String SERIES_INSTANCES =
      """
      MATCH (:Series {uid: $uid})-[:HAS_INSTANCE]->(i:Instance)
      RETURN i.sopInstanceUid AS sop, i.sha256 AS sha256, i.datasetSha256 AS datasetSha256
      ORDER BY i.sopInstanceUid
      """;
  private static final String PATIENTS =
      """
      MATCH (p:Patient)
      WHERE ($search IS NULL
             OR ($byIdentity AND (toLower(p.name) CONTAINS toLower($search)
                                  OR toLower(p.patientId) CONTAINS toLower($search)))
             OR toLower(p.pseudonym) CONTAINS toLower($search))
        AND (($modality IS NULL AND $from IS NULL AND $to IS NULL)
             OR EXISTS {
               MATCH (p)-[:HAS_STUDY]->(st:Study)-[:HAS_SERIES]->(se:Series)
               WHERE ($modality IS NULL OR se.modality = $modality)
                 AND ($from IS NULL OR st.date >= $from)
                 AND ($to IS NULL OR st.date <= $to)
             })
      WITH p ORDER BY p.id
      WHERE $after IS NULL OR p.id > $after
      RETURN p {.*} AS patient
      LIMIT $limit
      """;
  private static final String PATIENT = "MATCH (p:Patient {id: $id}) RETURN p {.*} AS patient";
  private static final String PATIENT_BY_PSEUDONYM =
      "MATCH (p:Patient {pseudonym: $pseudonym}) RETURN p {.*} AS patient";
  private static final String STUDIES_OF =
      """
      MATCH (p:Patient)-[:HAS_STUDY]->(st:Study) WHERE p.id IN $ids
      RETURN p.id AS owner, st {.*} AS study ORDER BY st.date, st.uid
      """;
  private static final String SERIES_OF =
      """
      MATCH (st:Study)-[:HAS_SERIES]->(se:Series) WHERE st.uid IN $ids
      OPTIONAL MATCH (se)-[:HAS_INSTANCE]->(i:Instance)
      WITH st, se, count(i) AS instances
      RETURN st.uid AS owner, se {.*, instanceCount: instances} AS series ORDER BY se.number, se.uid
      """;
  private static final String SERIES =
      """
      MATCH (p:Patient)-[:HAS_STUDY]->(st:Study)-[:HAS_SERIES]->(se:Series {uid: $uid})
      OPTIONAL MATCH (se)-[:HAS_INSTANCE]->(i:Instance)
      WITH st, se, p, count(i) AS instances
      RETURN se {.*, instanceCount: instances, studyUid: st.uid, patientKey: p.id} AS series
      """;
  private static final String PATIENT_OF_SERIES =
      """
      MATCH (p:Patient)-[:HAS_STUDY]->(:Study)-[:HAS_SERIES]->(se:Series {uid: $uid})
      RETURN p.id AS id
      """;

  private static final String QUARANTINE =
      """
      CREATE (:Quarantined {sopInstanceUid: $sop, sha256: $sha256, datasetSha256: $datasetSha256,
                            storedDatasetSha256: $stored, route: $route, receivedAt: $time})
      """;

  /** Records a refused object whose bytes were kept aside (its blob is already stored). */
  public void quarantine(DicomInstance d, ContentHash stored, String route, Instant time) {
    graph.write(
        tx ->
            tx.run(
                    QUARANTINE,
                    Map.of(
                        "sop",
                        d.sopInstanceUid().value(),
                        "sha256",
                        d.fileHash().hex(),
                        "datasetSha256",
                        d.datasetHash().hex(),
                        "stored",
                        stored.hex(),
                        "route",
                        route,
                        "time",
                        time.toString()))
                .consume());
  }

  /** The activity that brings an instance into the store, as lineage names it. */
  public static final String RECEIVE = "anatwin.dicom.receive";

  private static final String PSEUDONYM_KEY =
      """
      MERGE (k:PseudonymKey {id: 'patients'}) ON CREATE SET k.key = $candidate
      RETURN k.key AS key
      """;

  private final Graph graph;
  private volatile byte @Nullable [] pseudonymKey;

  private final org.anatwin.model.AuditSink audit;

  /** With the audit sink every new instance's event is appended to, in its group's transaction. */
  public DicomRepository(Graph graph, org.anatwin.model.AuditSink audit) {
    this.graph = graph;
    this.audit = audit;
  }

  /**
   * Creates the instance node (and its patient, study and series when new) and the activity that
   * received it, in one transaction, which commits only after {@code storeBlob} (which must make
   * the bytes durable, or wait for a write begun earlier) returned; it runs only when the instance
   * is new. Returns the dataset hash already stored when the instance exists.
   */
  public Optional<ContentHash> create(
      DicomInstance d,
      Instant receivedAt,
      List<Agent> agents,
      String route,
      Runnable storeBlob,
      org.anatwin.model.AuditEvent event) {
    PatientKey patient = PatientKey.createDerived(d.patientId(), d.issuerOfPatientId());
    Map<String, Object> p = new HashMap<>();
    p.put("patientKey", patient.value());
    p.put("patientId", d.patientId());
    p.put("issuer", d.issuerOfPatientId());
    p.put("patientName", d.patientName());
    p.put("birthDate", d.patientBirthDate());
    p.put("sex", d.patientSex());
    p.put("pseudonym", pseudonym(patient));
    p.put("studyUid", d.studyInstanceUid().value());
    p.put("studyDate", d.studyDate());
    p.put("studyDescription", d.studyDescription());
    p.put("accession", d.accessionNumber());
    p.put("seriesUid", d.seriesInstanceUid().value());
    p.put("modality", d.modality());
    p.put("bodyPart", d.bodyPartExamined());
    p.put("seriesDescription", d.seriesDescription());
    p.put("seriesNumber", d.seriesNumber());
    p.put("frame", d.frameOfReferenceUid());
    p.put("id", d.sopInstanceUid().entityId());
    p.put("sop", d.sopInstanceUid().value());
    p.put("sopClass", d.sopClassUid());
    p.put("sha256", d.fileHash().hex());
    p.put("datasetSha256", d.datasetHash().hex());
    p.put("instanceNumber", d.instanceNumber());
    p.put("size", d.size());
    p.put("receivedAt", receivedAt.toString());
    return committer.submit(
        new Pending(d, p, receivedAt, agents, route, storeBlob, event, new CompletableFuture<>()));
  }

  /** One instance waiting for the group commit, and where its outcome goes. */
  private record Pending(
      DicomInstance d,
      Map<String, Object> p,
      Instant receivedAt,
      List<Agent> agents,
      String route,
      Runnable storeBlob,
      org.anatwin.model.AuditEvent event,
      CompletableFuture<Optional<ContentHash>> outcome) {}

  /**
   * Group commit of new instances: whoever stores (C-STORE associations, STOW-RS requests, imports)
   * queues the instance and waits; one writer takes everything waiting (at most {@link #BATCH})
   * into one graph transaction with one commit, so concurrent senders share the transaction log's
   * fsync and the audit log's head is locked once per group, not once per instance. Per instance
   * the order is as before: its blob made durable (only when the instance is new) before the
   * commit, its audit event written in the transaction, and only after the commit is its caller
   * answered. A group whose transaction fails is retried one instance at a time, so one bad
   * instance fails alone.
   */
  private final class Committer {
    private final java.util.concurrent.BlockingQueue<Pending> queue =
        new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread writer =
        Thread.ofVirtual().name("dicom-instance-commit").start(this::loop);

    Optional<ContentHash> submit(Pending pending) {
      queue.add(pending);
      try {
        return pending.outcome().join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException cause) {
          throw cause;
        }
        throw e;
      }
    }

    private void loop() {
      List<Pending> group = new java.util.ArrayList<>(BATCH);
      while (true) {
        try {
          group.add(queue.take());
        } catch (InterruptedException e) {
          return;
        }
        queue.drainTo(group, BATCH - 1);
        try {
          List<Optional<ContentHash>> outcomes = afterRacingWriters(() -> createAll(group));
          for (int i = 0; i < group.size(); i++) {
            group.get(i).outcome().complete(outcomes.get(i));
          }
        } catch (RuntimeException | Error groupFailed) {
          for (Pending one : group) {
            if (group.size() == 1) {
              one.outcome().completeExceptionally(groupFailed);
              continue;
            }
            try {
              one.outcome().complete(afterRacingWriters(() -> createAll(List.of(one))).get(0));
            } catch (RuntimeException | Error failed) {
              one.outcome().completeExceptionally(failed);
            }
          }
        }
        group.clear();
      }
    }
  }

  /** The most instances one group commit takes. */
  static final int BATCH = 64;

  private final Committer committer = new Committer();

  /**
   * Runs work that creates nodes unique by a constraint; when another writer created the same node
   * at the same moment, the loser's transaction fails on the constraint and is run again (at most
   * three times), then finds what the winner wrote.
   */
  private static <T> T afterRacingWriters(java.util.function.Supplier<T> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        return work.get();
      } catch (ClientException e) {
        if (!e.code().equals("Neo.ClientError.Schema.ConstraintValidationFailed") || attempt == 3) {
          throw e;
        }
      }
    }
  }

  /**
   * One transaction for a group, in a constant number of statements whatever its size: the group's
   * instances found or created with their receipt activities by one statement (a SOP Instance UID
   * twice in a group: the later ones are what the first found or created, never new), the new ones'
   * blobs awaited (their writes began when they were received), then their audit events, appended
   * together last so the audit log's head is locked only for the commit.
   */
  private List<Optional<ContentHash>> createAll(List<Pending> group) {
    return graph.write(
        tx -> {
          Map<String, Optional<ContentHash>> found = new HashMap<>();
          List<Pending> first = new java.util.ArrayList<>();
          java.util.Set<Pending> repeats =
              java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
          Map<String, Pending> firstOf = new HashMap<>();
          for (Pending one : group) {
            String sop = one.d().sopInstanceUid().value();
            if (firstOf.putIfAbsent(sop, one) == null) {
              first.add(one);
            } else {
              repeats.add(one);
            }
          }
          Map<String, Activity> receipts = new HashMap<>();
          List<Map<String, Object>> rows = new java.util.ArrayList<>();
          for (Pending one : first) {
            Activity receipt =
                Activity.of(
                    RECEIVE,
                    "1",
                    Map.of("route", one.route(), "sopClassUid", one.d().sopClassUid()),
                    List.of(),
                    List.of(one.d().sopInstanceUid().entityId()),
                    one.agents(),
                    one.receivedAt());
            receipts.put(one.d().sopInstanceUid().value(), receipt);
            Map<String, Object> row = new HashMap<>(one.p());
            row.put("activity", LineageWriter.row(receipt));
            rows.add(row);
          }
          for (Record r : tx.run(FIND_OR_CREATE_INSTANCES, Map.of("rows", rows)).list()) {
            String sop = r.get("sop").asString();
            Value existing = r.get("existing");
            if (existing.isNull()) {
              LineageWriter.check(
                  receipts.get(sop), r.get("generated").asLong(), r.get("used").asLong());
              found.put(sop, Optional.empty());
            } else {
              found.put(sop, Optional.of(ContentHash.parse(existing.asString())));
            }
          }
          List<Pending> created = new java.util.ArrayList<>();
          for (Pending one : first) {
            if (found.get(one.d().sopInstanceUid().value()).isEmpty()) {
              created.add(one);
            }
          }
          for (Pending one : created) {
            one.storeBlob().run(); // written since the instance was received: usually done by now
          }
          audit.appendAll(created.stream().map(Pending::event).toList());
          List<Optional<ContentHash>> outcomes = new java.util.ArrayList<>(group.size());
          for (Pending one : group) {
            String sop = one.d().sopInstanceUid().value();
            if (repeats.contains(one)) {
              // the first of its UID is in the graph now, found or created: this one is not new
              outcomes.add(Optional.of(found.get(sop).orElse(firstOf.get(sop).d().datasetHash())));
            } else {
              outcomes.add(found.get(sop));
            }
          }
          return outcomes;
        });
  }

  /** A stored instance of a series: its lineage identity and the blob holding its file. */
  public record StoredInstance(SourceInstance source, ContentHash blob) {}

  /** A stored instance's series, SOP class, blob and dataset hash, when it is stored. */
  public record InstanceRow(
      String seriesUid, String sopClassUid, ContentHash blob, ContentHash datasetHash) {}

  public Optional<InstanceRow> instance(SopInstanceUid uid) {
    return graph.read(
        tx ->
            tx
                .run(
                    """
                    MATCH (s:Series)-[:HAS_INSTANCE]->(i:Instance {sopInstanceUid: $uid})
                    RETURN s.uid AS series, i.sopClassUid AS sopClass, i.sha256 AS sha256,
                           i.datasetSha256 AS datasetSha256
                    """,
                    Map.of("uid", uid.value()))
                .list(
                    r ->
                        new InstanceRow(
                            r.get("series").asString(),
                            r.get("sopClass").asString(),
                            ContentHash.parse(r.get("sha256").asString()),
                            ContentHash.parse(r.get("datasetSha256").asString())))
                .stream()
                .findFirst());
  }

  public List<StoredInstance> instancesOf(SeriesInstanceUid series) {
    return graph.read(
        tx ->
            tx.run(SERIES_INSTANCES, Map.of("uid", series.value()))
                .list(
                    r ->
                        new StoredInstance(
                            new SourceInstance(
                                SopInstanceUid.of(r.get("sop").asString()),
                                ContentHash.parse(r.get("datasetSha256").asString())),
                            ContentHash.parse(r.get("sha256").asString()))));
  }

  /**
   * Patients after a cursor matching the filter; null fields of the filter match everything. The
   * search text matches the pseudonym, and name or patient id only when {@code byIdentity} (the
   * caller sees patient identity; otherwise a search would tell who is in the store).
   */
  public List<Map<String, Object>> patients(
      int limit,
      String after,
      String search,
      boolean byIdentity,
      String modality,
      String from,
      String to) {
    Map<String, Object> params = new HashMap<>();
    params.put("byIdentity", byIdentity);
    params.put("limit", limit);
    params.put("after", after);
    params.put("search", search);
    params.put("modality", modality);
    params.put("from", from);
    params.put("to", to);
    return graph.read(tx -> tx.run(PATIENTS, params).list(r -> r.get("patient").asMap()));
  }

  public Optional<Map<String, Object>> patient(String id) {
    return graph.read(
        tx ->
            tx.run(PATIENT, Map.of("id", id)).list(r -> r.get("patient").asMap()).stream()
                .findFirst());
  }

  public Map<String, Map<String, Object>> patients(List<String> ids) {
    return graph.read(
        tx -> {
          Map<String, Map<String, Object>> found = new HashMap<>();
          tx.run(
                  "MATCH (p:Patient) WHERE p.id IN $ids RETURN p {.*} AS patient",
                  Map.of("ids", ids))
              .forEachRemaining(
                  r -> {
                    Map<String, Object> p = r.get("patient").asMap();
                    found.put((String) p.get("id"), p);
                  });
          return found;
        });
  }

  /**
   * A patient's stable pseudonym: {@code ANON-} and 12 hex digits of HMAC-SHA256 over the patient
   * key under this store's secret, made at random on first use and kept in the graph (a {@code
   * PseudonymKey} node, which nothing in the API returns). Whoever can guess patient ids cannot
   * recompute pseudonyms without the secret.
   */
  public String pseudonym(PatientKey patient) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(pseudonymKey(), "HmacSHA256"));
      byte[] tag = mac.doFinal(patient.value().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "ANON-" + HexFormat.of().withUpperCase().formatHex(tag, 0, 6);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private byte[] pseudonymKey() {
    byte[] key = pseudonymKey;
    if (key == null) {
      byte[] candidate = new byte[32];
      new java.security.SecureRandom().nextBytes(candidate);
      // two first ingests may make the secret at the same moment: the loser's MERGE finds it
      String stored =
          afterRacingWriters(
              () ->
                  graph.write(
                      tx ->
                          tx.run(
                                  PSEUDONYM_KEY,
                                  Map.of("candidate", HexFormat.of().formatHex(candidate)))
                              .single()
                              .get("key")
                              .asString()));
      key = HexFormat.of().parseHex(stored);
      pseudonymKey = key;
    }
    return key;
  }

  public Optional<Map<String, Object>> patientByPseudonym(String pseudonym) {
    return graph.read(
        tx ->
            tx
                .run(PATIENT_BY_PSEUDONYM, Map.of("pseudonym", pseudonym))
                .list(r -> r.get("patient").asMap())
                .stream()
                .findFirst());
  }

  /** Studies of each patient id, for batch loading. */
  public Map<String, List<Map<String, Object>>> studiesOf(List<String> patientIds) {
    return grouped(STUDIES_OF, patientIds, "study");
  }

  /** Series of each study UID, for batch loading. */
  public Map<String, List<Map<String, Object>>> seriesOf(List<String> studyUids) {
    return grouped(SERIES_OF, studyUids, "series");
  }

  /**
   * Marks a series as awaiting processing once stable (or clears the mark), so the wait survives a
   * restart; {@link #awaiting()} lists the marked series with when they were marked.
   */
  public void await(SeriesInstanceUid series, boolean awaiting) {
    graph.write(
        tx ->
            tx.run(
                    awaiting
                        ? "MATCH (s:Series {uid: $uid}) SET s.awaitingSince = $now"
                        : "MATCH (s:Series {uid: $uid}) REMOVE s.awaitingSince",
                    Map.of("uid", series.value(), "now", java.time.Instant.now().toString()))
                .consume());
  }

  /** The series marked by {@link #await}, by UID, with the time of marking (ISO-8601). */
  public Map<String, String> awaiting() {
    return graph.read(
        tx -> {
          Map<String, String> out = new java.util.TreeMap<>();
          tx.run("MATCH (s:Series) WHERE s.awaitingSince IS NOT NULL RETURN s.uid, s.awaitingSince")
              .list()
              .forEach(r -> out.put(r.get(0).asString(), r.get(1).asString()));
          return out;
        });
  }

  public Optional<Map<String, Object>> series(String uid) {
    return graph.read(
        tx ->
            tx.run(SERIES, Map.of("uid", uid)).list(r -> r.get("series").asMap()).stream()
                .findFirst());
  }

  public Optional<String> patientOf(SeriesInstanceUid series) {
    return graph.read(
        tx ->
            tx
                .run(PATIENT_OF_SERIES, Map.of("uid", series.value()))
                .list(r -> r.get("id").asString())
                .stream()
                .findFirst());
  }

  private Map<String, List<Map<String, Object>>> grouped(
      String query, List<String> ids, String column) {
    return graph.read(
        tx -> {
          Map<String, List<Map<String, Object>>> out = new HashMap<>();
          for (Record r : tx.run(query, Map.of("ids", ids)).list()) {
            Value owner = r.get("owner");
            out.computeIfAbsent(owner.asString(), k -> new java.util.ArrayList<>())
                .add(r.get(column).asMap());
          }
          return out;
        });
  }
}

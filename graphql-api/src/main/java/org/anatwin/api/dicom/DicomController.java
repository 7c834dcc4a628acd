package org.anatwin.api.dicom;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.anatwin.api.ApiException;
import org.anatwin.api.CurrentActor;
import org.anatwin.api.Pages;
import org.anatwin.ingest.DicomDestinations;
import org.anatwin.ingest.ImportReport;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.AuditSink;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeGeometry;
import org.jspecify.annotations.Nullable;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;

@Controller
class DicomController {
  /** The shortest reason a break-glass re-identification accepts. */
  static final int MIN_REASON = 10;

  private final Ingest ingest;
  private final DicomDestinations destinations;
  private final AuditSink audit;

  DicomController(Ingest ingest, DicomDestinations destinations, AuditSink audit) {
    this.ingest = ingest;
    this.destinations = destinations;
    this.audit = audit;
  }

  /** A refused break-glass attempt, audited before the refusal is answered. */
  private void refused(Actor actor, String pseudonym, String detail) {
    audit.append(
        new AuditEvent(
            Instant.now(),
            actor.userName(),
            actor.role(),
            "phi.break-glass",
            AuditEvent.Outcome.FAILURE,
            List.of(pseudonym),
            detail));
  }

  record Reidentification(
      String pseudonym,
      String patient,
      @Nullable String name,
      @Nullable String patientId,
      @Nullable String birthDate,
      String reason) {}

  /**
   * Break-glass: the patient behind a pseudonym, for a quality officer with a reason. The
   * re-identification (or the refused attempt) is a {@code phi.break-glass} audit event naming the
   * patient and the reason; the answer is only returned once that event is durable.
   */
  @MutationMapping
  Reidentification reidentify(@Argument String pseudonym, @Argument String reason) {
    Actor actor = CurrentActor.get();
    String why = reason.strip();
    if (why.length() < MIN_REASON) {
      refused(actor, pseudonym, "refused: no reason given");
      throw new ApiException(
          "api:break-glass.reason",
          "re-identification needs a reason of at least " + MIN_REASON + " characters");
    }
    Map<String, Object> patient = ingest.patientByPseudonym(pseudonym).orElse(null);
    if (patient == null) {
      refused(actor, pseudonym, "refused: unknown pseudonym; reason: " + why);
      throw new ApiException("api:pseudonym.unknown", "no patient has the pseudonym " + pseudonym);
    }
    String id = (String) patient.get("id");
    audit.append(
        AuditEvent.success(
            Instant.now(),
            actor,
            "phi.break-glass",
            List.of(id, pseudonym),
            "re-identified; reason: " + why));
    return new Reidentification(
        pseudonym,
        id,
        (String) patient.get("name"),
        (String) patient.get("patientId"),
        (String) patient.get("birthDate"),
        why);
  }

  @MutationMapping
  Ingest.SendReport sendSeries(@Argument String uid, @Argument String destination) {
    return ingest.send(
        SeriesInstanceUid.of(uid),
        destinations.get(destination),
        destinations.callingAeTitle(),
        CurrentActor.get(),
        destinations.spool());
  }

  record PatientEdge(String cursor, Map<String, Object> node) {}

  record PageInfo(boolean hasNextPage, @Nullable String endCursor) {}

  record PatientConnection(List<PatientEdge> edges, PageInfo pageInfo) {}

  @QueryMapping
  PatientConnection patients(
      @Argument @Nullable Integer first,
      @Argument @Nullable String after,
      @Argument @Nullable String search,
      @Argument @Nullable String modality,
      @Argument @Nullable String studyDateFrom,
      @Argument @Nullable String studyDateTo) {
    int size = Pages.size(first);
    List<Map<String, Object>> rows =
        ingest.patients(
            size + 1,
            after,
            new Ingest.PatientFilter(
                search, CurrentActor.seesPhi(), modality, studyDateFrom, studyDateTo));
    List<PatientEdge> edges = new ArrayList<>();
    for (Map<String, Object> row : rows.subList(0, Math.min(size, rows.size()))) {
      edges.add(new PatientEdge((String) row.get("id"), row));
    }
    return new PatientConnection(
        edges, new PageInfo(rows.size() > size, edges.isEmpty() ? null : edges.getLast().cursor()));
  }

  @QueryMapping
  @Nullable Map<String, Object> patient(@Argument String id) {
    return ingest.patient(id).orElse(null);
  }

  @SchemaMapping(typeName = "Patient")
  @Nullable Object name(Map<String, Object> patient) {
    return CurrentActor.seesPhi() ? patient.get("name") : null;
  }

  @SchemaMapping(typeName = "Patient")
  @Nullable Object patientId(Map<String, Object> patient) {
    return CurrentActor.seesPhi() ? patient.get("patientId") : null;
  }

  @SchemaMapping(typeName = "Patient")
  @Nullable Object birthDate(Map<String, Object> patient) {
    return CurrentActor.seesPhi() ? patient.get("birthDate") : null;
  }

  @BatchMapping(typeName = "Patient")
  List<List<Map<String, Object>>> studies(List<Map<String, Object>> patients) {
    Map<String, List<Map<String, Object>>> byPatient =
        ingest.studiesOf(patients.stream().map(p -> (String) p.get("id")).toList());
    return patients.stream()
        .map(p -> byPatient.getOrDefault((String) p.get("id"), List.of()))
        .toList();
  }

  @BatchMapping(typeName = "Study")
  List<List<Map<String, Object>>> series(List<Map<String, Object>> studies) {
    Map<String, List<Map<String, Object>>> byStudy =
        ingest.seriesOf(studies.stream().map(s -> (String) s.get("uid")).toList());
    return studies.stream()
        .map(s -> byStudy.getOrDefault((String) s.get("uid"), List.of()))
        .toList();
  }

  @QueryMapping
  @Nullable Map<String, Object> series(@Argument String uid) {
    return ingest.series(uid).orElse(null);
  }

  record VolumeGeometryView(
      String id,
      List<Integer> dimensions,
      List<Double> spacing,
      List<Double> origin,
      List<Double> direction,
      String frameOfReferenceUid,
      @Nullable Double gantryTiltDegrees) {}

  @SchemaMapping(typeName = "Series")
  VolumeGeometryView volume(Map<String, Object> series) {
    Volume v = ingest.volumeOf(SeriesInstanceUid.of((String) series.get("uid")));
    VolumeGeometry g = v.geometry();
    String tilt = v.parameters().get("gantryTiltDegrees");
    return new VolumeGeometryView(
        v.id(),
        List.of(g.nx(), g.ny(), g.nz()),
        List.of(g.sx(), g.sy(), g.sz()),
        List.of(g.origin().getX(), g.origin().getY(), g.origin().getZ()),
        List.of(
            g.row().getX(),
            g.row().getY(),
            g.row().getZ(),
            g.column().getX(),
            g.column().getY(),
            g.column().getZ(),
            g.slice().getX(),
            g.slice().getY(),
            g.slice().getZ()),
        v.frameOfReference().value(),
        tilt == null ? null : Double.parseDouble(tilt));
  }

  @MutationMapping
  ImportReport importFolder(@Argument String path) {
    return ingest.importFolder(Path.of(path), CurrentActor.get());
  }
}

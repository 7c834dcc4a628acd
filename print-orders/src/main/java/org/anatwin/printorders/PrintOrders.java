package org.anatwin.printorders;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.anatwin.model.Activity;
import org.anatwin.model.Actor;
import org.anatwin.model.Agent;
import org.anatwin.model.ArtefactId;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.AuditSink;
import org.anatwin.model.ContentHash;
import org.anatwin.model.DerivedIds;
import org.anatwin.model.PrintJobId;
import org.anatwin.model.PrintOrderId;
import org.anatwin.printorders.persistence.PrintOrderRepository;
import org.anatwin.printorders.printer.FolderPrinter;
import org.anatwin.printorders.printer.PrinterDriver;
import org.anatwin.storage.Storage;

/**
 * Entry point of the print-orders module: create, approve, prepare and submit print orders, and
 * read orders, jobs, artefacts and printers. Every step appends an order event, writes its lineage
 * in the same transaction and an audit event after it.
 */
public final class PrintOrders {
  /** The built-in simulated printer's id. */
  public static final String SIMULATED_PRINTER = "simulated-fdm-1";

  private static final Agent SOFTWARE = Agent.anatwin();
  private final Storage storage;
  private final AuditSink audit;
  private final Clock clock;
  private final PrintOrderRepository repository;
  private final Map<String, PrinterDriver> drivers = new HashMap<>();

  /** Registers the simulated printer, which writes jobs under {@code printerRoot}. */
  public PrintOrders(Storage storage, AuditSink audit, Clock clock, Path printerRoot) {
    this.storage = storage;
    this.audit = audit;
    this.clock = clock;
    this.repository = new PrintOrderRepository(storage.graph());
    Printer simulated =
        new Printer(
            SIMULATED_PRINTER, "Simulated FDM printer (writes jobs to a folder)", "FDM", "folder");
    repository.registerPrinter(simulated);
    drivers.put(simulated.id(), new FolderPrinter(printerRoot.resolve(simulated.id())));
  }

  /** Creates an order for meshes that exist; it starts submitted, waiting for approval. */
  public PrintOrder create(
      List<String> meshIds,
      IntendedUse use,
      String material,
      int copies,
      double scale,
      Actor actor) {
    if (meshIds.isEmpty()) {
      throw new PrintOrderException(
          "print-orders:order.no-meshes", "an order needs at least one mesh");
    }
    if (copies < 1 || copies > 100) {
      throw new PrintOrderException(
          "print-orders:order.copies", "copies must be between 1 and 100, not " + copies);
    }
    if (!(scale > 0 && scale <= 10)) {
      throw new PrintOrderException(
          "print-orders:order.scale", "scale must be in (0, 10], 1 for life size; not " + scale);
    }
    if (material.isBlank()) {
      throw new PrintOrderException("print-orders:order.material", "name the material, e.g. PLA");
    }
    List<String> distinct = meshIds.stream().distinct().toList();
    List<PrintOrderRepository.MeshRow> meshes = repository.meshes(distinct);
    if (meshes.size() != distinct.size()) {
      throw new PrintOrderException(
          "print-orders:order.unknown-mesh", "unknown mesh among " + distinct);
    }
    Instant time = clock.instant();
    PrintOrderId id =
        PrintOrderId.parse("print-order-" + UUID.randomUUID().toString().replace("-", ""));
    PrintOrder order =
        new PrintOrder(
            id,
            distinct,
            use,
            material,
            copies,
            scale,
            actor.userName(),
            time,
            List.of(new OrderEvent.Submitted(actor.userName(), actor.role(), time)));
    repository.create(
        order,
        Activity.of(
            "anatwin.print-order.create",
            "1",
            Map.of(
                "intendedUse",
                use.name(),
                "material",
                material,
                "copies",
                Integer.toString(copies),
                "scale",
                Double.toString(scale)),
            distinct,
            List.of(id.value()),
            List.of(actor.agent()),
            time));
    audit(actor, "print-order.create", id.value(), "meshes=" + distinct);
    return order;
  }

  /**
   * Signs the order. The signer must not be the order's author (separation of duties); an approval
   * is an entity in lineage that the print job uses.
   */
  public PrintOrder decide(PrintOrderId id, Decision decision, Actor actor) {
    Instant time = clock.instant();
    repository.transition(
        id,
        order -> {
          if (order.createdBy().equals(actor.userName())) {
            throw new PrintOrderException(
                "print-orders:approval.own-order", "nobody may approve their own order");
          }
          OrderEvent.Decided event =
              new OrderEvent.Decided(
                  actor.userName(),
                  actor.role(),
                  time,
                  decision.approved(),
                  decision.meaning(),
                  decision.reason());
          String approvalId =
              DerivedIds.createId("approval", id.value(), actor.userName(), time.toString());
          return new PrintOrderRepository.Change<>(
              event,
              List.of(PrintOrderRepository.approval(approvalId, id, event)),
              List.of(
                  Activity.of(
                      "anatwin.print-order.sign",
                      "1",
                      Map.of(
                          "approved",
                          Boolean.toString(decision.approved()),
                          "meaning",
                          decision.meaning(),
                          "reason",
                          decision.reason()),
                      List.of(id.value()),
                      List.of(approvalId),
                      List.of(actor.agent()),
                      time)),
              null);
        });
    audit(
        actor,
        decision.approved() ? "print-order.approve" : "print-order.reject",
        id.value(),
        decision.meaning() + ": " + decision.reason());
    return order(id).orElseThrow();
  }

  /** Checks the QA gate (every mesh watertight) and assigns a registered printer. */
  public PrintOrder prepare(PrintOrderId id, String printerId, Actor actor) {
    if (!drivers.containsKey(printerId)) {
      throw new PrintOrderException("print-orders:printer.unknown", "no printer " + printerId);
    }
    Instant time = clock.instant();
    repository.transition(
        id,
        order -> {
          for (PrintOrderRepository.MeshRow mesh : repository.meshes(order.meshIds())) {
            if (!mesh.watertight()) {
              throw new PrintOrderException(
                  "print-orders:prepare.qa-gate",
                  "mesh "
                      + mesh.id()
                      + " ("
                      + mesh.structure()
                      + ") is not watertight and cannot be printed");
            }
          }
          return new PrintOrderRepository.Change<>(
              new OrderEvent.Prepared(actor.userName(), actor.role(), time, printerId),
              List.of(),
              List.of(),
              null);
        });
    audit(actor, "print-order.prepare", id.value(), "printer=" + printerId);
    return order(id).orElseThrow();
  }

  /**
   * Sends a prepared order to its printer and records one artefact per copy, each with a serial
   * number, generated by the print activity that used the meshes, the order and its approval.
   */
  public PrintJob submit(PrintOrderId id, Actor actor) {
    PrintOrder order =
        order(id)
            .orElseThrow(
                () ->
                    new PrintOrderException("print-orders:order.unknown", "no print order " + id));
    OrderEvent.Printed probe =
        new OrderEvent.Printed(actor.userName(), actor.role(), clock.instant(), "");
    probe.apply(order.state());
    String printerId = order.printerId();
    String approval =
        repository
            .approvalOf(id)
            .orElseThrow(
                () ->
                    new PrintOrderException(
                        "print-orders:order.unapproved", "order " + id + " has no approval"));
    PrintJobId jobId =
        PrintJobId.parse("print-job-" + UUID.randomUUID().toString().replace("-", ""));
    List<PrinterDriver.JobFile> files = new ArrayList<>();
    List<PrintOrderRepository.MeshRow> meshes = repository.meshes(order.meshIds());
    for (int i = 0; i < meshes.size(); i++) {
      PrintOrderRepository.MeshRow mesh = meshes.get(i);
      files.add(
          new PrinterDriver.JobFile(
              String.format(Locale.ROOT, "part-%02d-%s.stl", i + 1, mesh.structure()),
              storage.blobs().get(ContentHash.parse(mesh.sha256()))));
    }
    files.add(
        new PrinterDriver.JobFile(
            "job.json", jobDescription(order, jobId, meshes).getBytes(StandardCharsets.UTF_8)));
    String location = drivers.get(printerId).submit(jobId.value(), files);
    Instant time = clock.instant();
    List<Long> serials = repository.nextSerials(order.copies());
    List<Artefact> artefacts = new ArrayList<>();
    for (int copy = 1; copy <= order.copies(); copy++) {
      String serial =
          String.format(
              Locale.ROOT,
              "AT-%d-%06d",
              time.atZone(ZoneOffset.UTC).getYear(),
              serials.get(copy - 1));
      artefacts.add(
          new Artefact(
              ArtefactId.createDerived(jobId.value(), copy),
              serial,
              id.value(),
              jobId.value(),
              printerId,
              copy,
              time));
    }
    PrintJob job = new PrintJob(jobId, id, printerId, "PRINTED", time, artefacts);
    List<String> used = new ArrayList<>(order.meshIds());
    used.add(id.value());
    used.add(approval);
    List<String> generated = new ArrayList<>(artefacts.stream().map(a -> a.id().value()).toList());
    generated.add(jobId.value());
    Activity print =
        Activity.of(
            "anatwin.print-job",
            "1",
            Map.of(
                "printer",
                printerId,
                "material",
                order.material(),
                "scale",
                Double.toString(order.scale()),
                "copies",
                Integer.toString(order.copies())),
            used,
            generated,
            List.of(actor.agent(), Agent.printer(printerId, printerId), SOFTWARE),
            time);
    repository.transition(
        id,
        current ->
            new PrintOrderRepository.Change<>(
                new OrderEvent.Printed(actor.userName(), actor.role(), time, jobId.value()),
                List.of(PrintOrderRepository.job(job, location)),
                List.of(print),
                null));
    audit(
        actor,
        "print-job.submit",
        id.value(),
        "job=" + jobId + " artefacts=" + artefacts.stream().map(Artefact::serialNumber).toList());
    return job;
  }

  private static String jobDescription(
      PrintOrder order, PrintJobId job, List<PrintOrderRepository.MeshRow> meshes) {
    StringBuilder parts = new StringBuilder();
    for (PrintOrderRepository.MeshRow m : meshes) {
      parts
          .append(parts.isEmpty() ? "" : ",")
          .append("{\"mesh\":\"")
          .append(m.id())
          .append("\",\"sha256\":\"")
          .append(m.sha256())
          .append("\"}");
    }
    return "{\"job\":\""
        + job.value()
        + "\",\"order\":\""
        + order.id().value()
        + "\",\"material\":\""
        + order.material().replace("\"", "")
        + "\",\"copies\":"
        + order.copies()
        + ",\"scale\":"
        + order.scale()
        + ",\"units\":\"millimetre\",\"parts\":["
        + parts
        + "]}\n";
  }

  private void audit(Actor actor, String action, String subject, String detail) {
    audit.append(
        new AuditEvent(
            clock.instant(),
            actor.userName(),
            actor.role(),
            action,
            AuditEvent.Outcome.SUCCESS,
            List.of(subject),
            detail));
  }

  public Optional<PrintOrder> order(PrintOrderId id) {
    return repository.orders(List.of(id.value())).stream().findFirst();
  }

  public Map<String, List<PrintJob>> jobsOf(List<String> orderIds) {
    return repository.jobsOf(orderIds);
  }

  public Optional<Artefact> artefact(ArtefactId id) {
    return repository.artefact(id);
  }

  public List<Printer> printers() {
    return repository.printers();
  }
}

package org.anatwin.api.print;

import java.util.List;
import java.util.Map;
import org.anatwin.api.Batches;
import org.anatwin.api.CurrentActor;
import org.anatwin.api.Ids;
import org.anatwin.api.twins.MeshView;
import org.anatwin.model.ArtefactId;
import org.anatwin.model.PrintOrderId;
import org.anatwin.printorders.Artefact;
import org.anatwin.printorders.ArtefactQa;
import org.anatwin.printorders.Decision;
import org.anatwin.printorders.IntendedUse;
import org.anatwin.printorders.OrderEvent;
import org.anatwin.printorders.PrintJob;
import org.anatwin.printorders.PrintOrder;
import org.anatwin.printorders.PrintOrderException;
import org.anatwin.printorders.PrintOrders;
import org.anatwin.printorders.Printer;
import org.anatwin.versioning.MeshInfo;
import org.anatwin.versioning.Twins;
import org.jspecify.annotations.Nullable;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;

@Controller
class PrintController {
  private final PrintOrders orders;
  private final Twins twins;

  private final JobFeed feed;

  PrintController(PrintOrders orders, Twins twins, JobFeed feed) {
    this.orders = orders;
    this.twins = twins;
    this.feed = feed;
  }

  record PrintOrderInput(
      List<String> meshIds,
      IntendedUse intendedUse,
      String material,
      @Nullable Integer copies,
      @Nullable Double scale,
      @Nullable String clinicalNote,
      @Nullable String dueBy) {}

  record ApprovalInput(boolean approved, String meaning, String reason) {}

  record EventView(String type, String actor, String role, String time, @Nullable String detail) {
    static EventView from(OrderEvent e) {
      return switch (e) {
        case OrderEvent.Submitted s ->
            new EventView("SUBMITTED", s.actor(), s.role(), s.time().toString(), null);
        case OrderEvent.Decided d ->
            new EventView(
                d.approved() ? "APPROVED" : "REJECTED",
                d.actor(),
                d.role(),
                d.time().toString(),
                d.meaning() + ": " + d.reason());
        case OrderEvent.Prepared p ->
            new EventView(
                "PREPARED", p.actor(), p.role(), p.time().toString(), "printer " + p.printerId());
        case OrderEvent.Printed p ->
            new EventView("PRINTED", p.actor(), p.role(), p.time().toString(), "job " + p.jobId());
        case OrderEvent.Queued q ->
            new EventView("QUEUED", q.actor(), q.role(), q.time().toString(), "job " + q.jobId());
        case OrderEvent.Started st ->
            new EventView(
                "STARTED", st.actor(), st.role(), st.time().toString(), "job " + st.jobId());
        case OrderEvent.Failed f ->
            new EventView("FAILED", f.actor(), f.role(), f.time().toString(), f.reason());
        case OrderEvent.QaRecorded q ->
            new EventView(
                q.passed() ? "QA_PASSED" : "QA_FAILED",
                q.actor(),
                q.role(),
                q.time().toString(),
                "artefact " + q.artefactId());
        case OrderEvent.Delivered d ->
            new EventView(
                "DELIVERED",
                d.actor(),
                d.role(),
                d.time().toString(),
                "artefact " + d.artefactId() + " to " + d.recipient());
        case OrderEvent.Cancelled c ->
            new EventView("CANCELLED", c.actor(), c.role(), c.time().toString(), c.reason());
      };
    }
  }

  record OrderView(
      String id,
      String state,
      List<String> meshIds,
      String intendedUse,
      String material,
      int copies,
      double scale,
      String createdBy,
      String createdAt,
      @Nullable String dueBy,
      @Nullable String printerId,
      List<EventView> events) {
    static OrderView from(PrintOrder o) {
      return new OrderView(
          o.id().value(),
          o.state().name(),
          o.meshIds(),
          o.intendedUse().name(),
          o.material(),
          o.copies(),
          o.scale(),
          o.createdBy(),
          o.createdAt().toString(),
          o.dueBy() == null ? null : o.dueBy().toString(),
          o.printerId(),
          o.events().stream().map(EventView::from).toList());
    }
  }

  record ArtefactView(
      String id,
      String serialNumber,
      String orderId,
      String jobId,
      String printerId,
      int copy,
      String printedAt,
      String material,
      @Nullable String materialLot) {
    static ArtefactView from(Artefact a) {
      return new ArtefactView(
          a.id().value(),
          a.serialNumber(),
          a.orderId(),
          a.jobId(),
          a.printerId(),
          a.copy(),
          a.printedAt().toString(),
          a.material(),
          a.materialLot());
    }

    Artefact toArtefact() {
      return new Artefact(
          ArtefactId.parse(id),
          serialNumber,
          orderId,
          jobId,
          printerId,
          copy,
          java.time.Instant.parse(printedAt),
          material,
          materialLot);
    }
  }

  record QaInput(
      @Nullable String content,
      @Nullable String fileName,
      @Nullable String ctSeriesUid,
      @Nullable Double isoHu,
      @Nullable String unit,
      @Nullable String note) {}

  record RecallInput(
      @Nullable String printerId,
      @Nullable String material,
      @Nullable String materialLot,
      @Nullable String profileSha256,
      @Nullable String agentId) {}

  record JobView(
      String id,
      String printerId,
      String state,
      String submittedAt,
      @Nullable String materialLot,
      List<ArtefactView> artefacts) {
    static JobView from(PrintJob j) {
      return new JobView(
          j.id().value(),
          j.printerId(),
          j.state(),
          j.submittedAt().toString(),
          j.materialLot(),
          j.artefacts().stream().map(ArtefactView::from).toList());
    }
  }

  record JobEventView(
      String jobId,
      String orderId,
      int seq,
      String state,
      double completion,
      @Nullable String detail,
      String time) {
    static JobEventView from(org.anatwin.printorders.PrintJobEvent e) {
      return new JobEventView(
          e.jobId(),
          e.orderId(),
          e.seq(),
          e.state(),
          e.completion(),
          e.detail(),
          e.time().toString());
    }
  }

  @BatchMapping(typeName = "PrintJob")
  List<List<JobEventView>> events(List<JobView> jobs) {
    Map<String, List<org.anatwin.printorders.PrintJobEvent>> events =
        orders.jobEvents(jobs.stream().map(JobView::id).toList());
    return jobs.stream()
        .map(j -> events.getOrDefault(j.id(), List.of()).stream().map(JobEventView::from).toList())
        .toList();
  }

  @org.springframework.graphql.data.method.annotation.SubscriptionMapping
  reactor.core.publisher.Flux<JobEventView> printJobEvents(@Argument String orderId) {
    if (Ids.tryParse(orderId, PrintOrderId::parse).flatMap(orders::order).isEmpty()) {
      throw new org.anatwin.printorders.PrintOrderException(
          "print-orders:order.unknown", "no print order " + orderId);
    }
    return feed.of(orderId).map(JobEventView::from);
  }

  @QueryMapping
  @Nullable OrderView printOrder(@Argument String id) {
    return Ids.tryParse(id, PrintOrderId::parse)
        .flatMap(orders::order)
        .map(OrderView::from)
        .orElse(null);
  }

  @QueryMapping
  List<OrderView> printOrders(
      @Argument @Nullable List<org.anatwin.printorders.OrderState> states,
      @Argument @Nullable Integer first) {
    return orders
        .queue(
            states == null || states.isEmpty()
                ? java.util.Set.of()
                : java.util.EnumSet.copyOf(states),
            org.anatwin.api.Pages.size(first))
        .stream()
        .map(OrderView::from)
        .toList();
  }

  @QueryMapping
  @Nullable ArtefactView artefact(@Argument String id) {
    return Ids.tryParse(id, ArtefactId::parse)
        .flatMap(orders::artefact)
        .map(ArtefactView::from)
        .orElse(null);
  }

  @QueryMapping
  List<Printer> printers() {
    return orders.printers();
  }

  @MutationMapping
  OrderView createPrintOrder(@Argument PrintOrderInput input) {
    return OrderView.from(
        orders.create(
            input.meshIds(),
            input.intendedUse(),
            input.material(),
            input.copies() == null ? 1 : input.copies(),
            input.scale() == null ? 1.0 : input.scale(),
            input.clinicalNote() == null ? "" : input.clinicalNote(),
            due(input.dueBy()),
            CurrentActor.get()));
  }

  @MutationMapping
  OrderView approvePrintOrder(@Argument String id, @Argument ApprovalInput decision) {
    return OrderView.from(
        orders.decide(
            orderId(id),
            new Decision(decision.approved(), decision.meaning(), decision.reason()),
            CurrentActor.get()));
  }

  @MutationMapping
  OrderView preparePrintOrder(
      @Argument String id, @Argument String printerId, @Argument @Nullable List<Double> down) {
    return OrderView.from(
        orders.prepare(
            orderId(id),
            printerId,
            down == null ? null : down.stream().mapToDouble(Double::doubleValue).toArray(),
            CurrentActor.get()));
  }

  @MutationMapping
  JobView submitPrintJob(@Argument String orderId, @Argument @Nullable String materialLot) {
    return JobView.from(orders.submit(orderId(orderId), materialLot, CurrentActor.get()));
  }

  @MutationMapping
  ArtefactView recordArtefactQa(@Argument String artefactId, @Argument QaInput input) {
    ArtefactId id = artefactId(artefactId);
    String note = input.note() == null ? "" : input.note();
    if ((input.content() == null) == (input.ctSeriesUid() == null)) {
      throw new PrintOrderException(
          "print-orders:qa.input", "give either a scan file (content, fileName) or ctSeriesUid");
    }
    if (input.ctSeriesUid() != null) {
      orders.recordQaFromCt(
          id,
          org.anatwin.model.SeriesInstanceUid.of(input.ctSeriesUid()),
          input.isoHu() == null ? -400 : input.isoHu(),
          note,
          CurrentActor.get());
    } else {
      byte[] scan =
          org.anatwin.api.Uploads.base64(
              input.content(),
              org.anatwin.api.Uploads.MAX_MESH_BYTES,
              "print-orders:qa",
              PrintOrderException::new);
      orders.recordQa(
          id,
          scan,
          org.anatwin.api.Uploads.format(input.fileName()),
          input.unit() == null ? "MILLIMETER" : input.unit(),
          note,
          CurrentActor.get());
    }
    return ArtefactView.from(orders.artefact(id).orElseThrow());
  }

  @MutationMapping
  OrderView cancelPrintOrder(@Argument String id, @Argument String reason) {
    return OrderView.from(orders.cancel(orderId(id), reason, CurrentActor.get()));
  }

  @MutationMapping
  ArtefactView deliverArtefact(@Argument String artefactId, @Argument String recipient) {
    return ArtefactView.from(orders.deliver(artefactId(artefactId), recipient, CurrentActor.get()));
  }

  @QueryMapping
  List<ArtefactView> recall(@Argument RecallInput criteria) {
    return orders
        .recall(
            new PrintOrders.RecallCriteria(
                criteria.printerId(),
                criteria.material(),
                criteria.materialLot(),
                criteria.profileSha256(),
                criteria.agentId()),
            CurrentActor.get())
        .stream()
        .map(ArtefactView::from)
        .toList();
  }

  @BatchMapping(typeName = "Artefact", field = "state")
  List<String> artefactStates(List<ArtefactView> artefacts) {
    Map<String, PrintOrder> byId = new java.util.HashMap<>();
    orders
        .orders(artefacts.stream().map(ArtefactView::orderId).distinct().toList())
        .forEach(o -> byId.put(o.id().value(), o));
    return artefacts.stream()
        .map(
            a -> {
              PrintOrder o = byId.get(a.orderId());
              return o == null ? "PRINTED" : o.artefactState(a.id());
            })
        .toList();
  }

  record LabelView(
      String serialNumber,
      int copy,
      int copies,
      @Nullable String patientName,
      @Nullable String patientId,
      @Nullable String birthDate,
      @Nullable String pseudonym,
      String clinicalNote,
      String intendedUse,
      String material,
      @Nullable String materialLot,
      String printerId,
      String printedAt,
      double scale,
      List<String> structures,
      String text)
      implements org.anatwin.api.PhiReadAudit.Subject {
    @Override
    public String subjectId() {
      return serialNumber;
    }

    static LabelView from(org.anatwin.printorders.ArtefactLabel l) {
      return new LabelView(
          l.serialNumber(),
          l.copy(),
          l.copies(),
          l.patientName(),
          l.patientId(),
          l.birthDate(),
          l.pseudonym(),
          l.clinicalNote(),
          l.intendedUse().name(),
          l.material(),
          l.materialLot(),
          l.printerId(),
          l.printedAt().toString(),
          l.scale(),
          l.structures(),
          l.text());
    }
  }

  /** The label of each copy; designers get it without PHI and without the clinical note. */
  @BatchMapping(typeName = "Artefact", field = "label")
  List<LabelView> artefactLabels(List<ArtefactView> artefacts) {
    Map<String, org.anatwin.printorders.ArtefactLabel> labels =
        orders.labels(artefacts.stream().map(ArtefactView::toArtefact).toList());
    boolean phi = CurrentActor.seesPhi();
    return artefacts.stream()
        .map(
            a -> {
              var label = labels.get(a.id());
              return LabelView.from(phi ? label : label.withoutPhi());
            })
        .toList();
  }

  @BatchMapping(typeName = "Artefact", field = "qa")
  Map<ArtefactView, ArtefactQa> artefactQa(List<ArtefactView> artefacts) {
    Map<String, ArtefactQa> qa = orders.qaOf(artefacts.stream().map(ArtefactView::id).toList());
    return Batches.byOwner(artefacts, a -> qa.get(a.id()));
  }

  @SchemaMapping(typeName = "ArtefactQa")
  String colourMapDownload(ArtefactQa qa) {
    return "/files/artefacts/" + qa.artefactId() + "/qa.ply";
  }

  @BatchMapping(typeName = "PrintOrder")
  List<List<MeshView>> meshes(List<OrderView> owners) {
    Map<String, MeshInfo> meshes =
        twins.meshes(owners.stream().flatMap(o -> o.meshIds().stream()).distinct().toList());
    return owners.stream()
        .map(o -> o.meshIds().stream().map(id -> MeshView.from(meshes.get(id))).toList())
        .toList();
  }

  /** A preparation as stored, with the paths of its files. */
  @BatchMapping(typeName = "PrintOrder")
  Map<OrderView, Map<String, Object>> preparation(List<OrderView> owners) {
    Map<String, Map<String, Object>> stored =
        orders.preparations(owners.stream().map(OrderView::id).toList());
    Map<OrderView, Map<String, Object>> out = new java.util.HashMap<>();
    for (OrderView o : owners) {
      Map<String, Object> p = stored.get(o.id());
      if (p != null) {
        Map<String, Object> view = new java.util.HashMap<>(p);
        String base = "/files/preparations/" + o.id() + "/";
        view.put("plateDownload", base + "plate.stl");
        view.put("threeMfDownload", base + "job.3mf");
        if (p.get("gcodeSha256") != null) {
          view.put("gcodeDownload", base + "job.gcode");
        }
        out.put(o, view);
      }
    }
    return out;
  }

  @BatchMapping(typeName = "PrintOrder")
  List<List<JobView>> jobs(List<OrderView> owners) {
    Map<String, List<PrintJob>> jobs = orders.jobsOf(owners.stream().map(OrderView::id).toList());
    return owners.stream()
        .map(o -> jobs.getOrDefault(o.id(), List.of()).stream().map(JobView::from).toList())
        .toList();
  }

  @BatchMapping(typeName = "PrintOrder", field = "printer")
  Map<OrderView, Printer> orderPrinters(List<OrderView> owners) {
    return printers(owners, OrderView::printerId);
  }

  @BatchMapping(typeName = "PrintJob", field = "printer")
  Map<JobView, Printer> jobPrinters(List<JobView> owners) {
    return printers(owners, JobView::printerId);
  }

  @BatchMapping(typeName = "Artefact", field = "printer")
  Map<ArtefactView, Printer> artefactPrinters(List<ArtefactView> owners) {
    return printers(owners, ArtefactView::printerId);
  }

  @BatchMapping(typeName = "Artefact", field = "order")
  Map<ArtefactView, OrderView> artefactOrders(List<ArtefactView> artefacts) {
    Map<String, OrderView> byId = new java.util.HashMap<>();
    orders
        .orders(artefacts.stream().map(ArtefactView::orderId).distinct().toList())
        .forEach(o -> byId.put(o.id().value(), OrderView.from(o)));
    return Batches.byOwner(artefacts, a -> byId.get(a.orderId()));
  }

  @SchemaMapping(typeName = "Printer")
  @Nullable List<Double> buildVolumeMm(Printer printer) {
    return orders
        .printerConfig(printer.id())
        .map(c -> List.of(c.bed().widthMm(), c.bed().depthMm(), c.bed().heightMm()))
        .orElse(null);
  }

  @SchemaMapping(typeName = "Printer")
  @Nullable Double minWallMm(Printer printer) {
    return orders.printerConfig(printer.id()).map(c -> c.minWallMm()).orElse(null);
  }

  @SchemaMapping(typeName = "Printer")
  List<String> materials(Printer printer) {
    return orders.printerConfig(printer.id()).map(c -> c.materials()).orElse(List.of());
  }

  @SchemaMapping(typeName = "Printer")
  boolean sliced(Printer printer) {
    return orders.printerConfig(printer.id()).map(c -> c.bed().profile() != null).orElse(false);
  }

  /** The printers with these ids (null where an id is null or unknown), from one query. */
  private <K> Map<K, Printer> printers(
      List<K> owners, java.util.function.Function<K, @Nullable String> printerId) {
    Map<String, Printer> byId = new java.util.HashMap<>();
    orders.printers().forEach(p -> byId.put(p.id(), p));
    return Batches.byOwner(
        owners,
        o -> {
          String id = printerId.apply(o);
          return id == null ? null : byId.get(id);
        });
  }

  private static java.time.@Nullable Instant due(@Nullable String dueBy) {
    if (dueBy == null) {
      return null;
    }
    try {
      return java.time.Instant.parse(dueBy);
    } catch (java.time.format.DateTimeParseException e) {
      throw new PrintOrderException(
          "print-orders:order.due", "dueBy is an ISO-8601 instant such as 2026-12-01T07:00:00Z");
    }
  }

  private static ArtefactId artefactId(String id) {
    return Ids.tryParse(id, ArtefactId::parse)
        .orElseThrow(
            () -> new PrintOrderException("print-orders:artefact.unknown", "no artefact " + id));
  }

  private static PrintOrderId orderId(String id) {
    return Ids.tryParse(id, PrintOrderId::parse)
        .orElseThrow(
            () -> new PrintOrderException("print-orders:order.unknown", "no print order " + id));
  }
}

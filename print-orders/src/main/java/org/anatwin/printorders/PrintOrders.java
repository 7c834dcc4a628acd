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
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.Modeling;
import org.anatwin.printorders.persistence.PrintOrderRepository;
import org.anatwin.printorders.preparation.CuraSlicer;
import org.anatwin.printorders.preparation.Preparer;
import org.anatwin.printorders.printer.FolderPrinter;
import org.anatwin.printorders.printer.PrinterDriver;
import org.anatwin.registration.Registrations;
import org.anatwin.storage.Storage;
import org.jspecify.annotations.Nullable;

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
  private final Map<String, PrinterConfig> printers =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final @Nullable CuraSlicer slicer;
  private final org.anatwin.model.@Nullable VolumeSource volumes;

  /** Registers the simulated printer, which writes jobs under {@code printerRoot}; no slicer. */
  public PrintOrders(Storage storage, AuditSink audit, Clock clock, Path printerRoot) {
    this(storage, audit, clock, printerRoot, null);
  }

  /**
   * Registers the simulated printer (an FDM printer with a Creality Ender-3's bed and Cura profile
   * that writes jobs under {@code printerRoot}); {@code slicer} slices for printers with a profile.
   */
  public PrintOrders(
      Storage storage,
      AuditSink audit,
      Clock clock,
      Path printerRoot,
      @Nullable CuraSlicer slicer) {
    this(storage, audit, clock, printerRoot, slicer, null);
  }

  /** As above, reading CT series of printed parts for their QA from {@code volumes}. */
  public PrintOrders(
      Storage storage,
      AuditSink audit,
      Clock clock,
      Path printerRoot,
      @Nullable CuraSlicer slicer,
      org.anatwin.model.@Nullable VolumeSource volumes) {
    this.volumes = volumes;
    this.storage = storage;
    this.audit = audit;
    this.clock = clock;
    this.slicer = slicer;
    this.repository = new PrintOrderRepository(storage.graph());
    Printer simulated =
        new Printer(
            SIMULATED_PRINTER, "Simulated FDM printer (writes jobs to a folder)", "FDM", "folder");
    register(
        new PrinterConfig(
            simulated,
            new Preparer.Bed(235, 235, 250, 50, defaultFdmProfile()),
            FDM_MIN_WALL_MM,
            new FolderPrinter(printerRoot.resolve(simulated.id()))));
  }

  /** The thinnest wall an FDM printer with a 0.4 mm nozzle prints reliably (two perimeters). */
  public static final double FDM_MIN_WALL_MM = Technology.FDM.minWallMm();

  /**
   * Our FDM profile on a Creality Ender-3 definition: 0.2 mm layers (0.3 mm first), 15 % infill,
   * supports under overhangs steeper than 50 degrees, a skirt.
   */
  public static CuraSlicer.Profile defaultFdmProfile() {
    return new CuraSlicer.Profile(
        "creality_ender3",
        "creality_base_extruder_0",
        Map.of(
            "layer_height", "0.2",
            "layer_height_0", "0.3",
            "infill_sparse_density", "15",
            "support_enable", "true",
            "support_angle", "50",
            "adhesion_type", "skirt"));
  }

  /** Adds (or replaces) a printer in the registry. */
  public void register(PrinterConfig config) {
    repository.registerPrinter(config.printer());
    printers.put(config.printer().id(), config);
  }

  /**
   * Creates an order for meshes that exist, all made from one patient's images, with a clinical
   * note for the care team (printed on each copy's label) and when the parts are due (optional); it
   * starts submitted, waiting for approval.
   */
  public PrintOrder create(
      List<String> meshIds,
      IntendedUse use,
      String material,
      int copies,
      double scale,
      String clinicalNote,
      @Nullable Instant dueBy,
      Actor actor) {
    if (dueBy != null && dueBy.isBefore(clock.instant())) {
      throw new PrintOrderException(
          "print-orders:order.due", "the parts cannot be due in the past (" + dueBy + ")");
    }
    if (clinicalNote.length() > 500) {
      throw new PrintOrderException(
          "print-orders:order.note", "a clinical note is at most 500 characters");
    }
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
    if (repository.patientsOf(distinct).size() > 1) {
      throw new PrintOrderException(
          "print-orders:order.mixed-patients",
          "the meshes come from more than one patient's images; order each patient's separately");
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
            clinicalNote,
            dueBy,
            actor.userName(),
            time,
            List.of(new OrderEvent.Submitted(actor.userName(), actor.role(), time)));
    atomically(
        () -> {
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
        });
    return order;
  }

  /**
   * Signs the order. The signer must not be the order's author (separation of duties); an approval
   * is an entity in lineage that the print job uses.
   */
  public PrintOrder decide(PrintOrderId id, Decision decision, Actor actor) {
    Instant time = clock.instant();
    atomically(
        () -> {
          repository.transition(
              id,
              order -> {
                if (order.state() == OrderState.REJECTED) {
                  throw new PrintOrderException(
                      "print-orders:approval.rejected",
                      "order " + id + " was rejected; a rejected order is not signed again");
                }
                if (order.state() != OrderState.SUBMITTED) {
                  throw new PrintOrderException(
                      "print-orders:approval.not-pending",
                      "order " + id + " is " + order.state() + ", not waiting for approval");
                }
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
        });
    return order(id).orElseThrow();
  }

  /**
   * Checks the QA gate, orients, places and slices for a registered printer (automatic
   * orientation).
   */
  public PrintOrder prepare(PrintOrderId id, String printerId, Actor actor) {
    return prepare(id, printerId, null, actor);
  }

  /** Name and version of the preparation, as recorded in lineage. */
  public static final String PREPARE = "anatwin.print.prepare";

  /**
   * The plate of an order's meshes on a printer: oriented ({@code down} given, or automatic),
   * scaled, packed, packaged as 3MF and sliced where the printer slices. Deterministic: the same
   * meshes, scale, printer profile and orientation give the same bytes.
   */
  Preparer.Plate plate(
      PrintOrder order,
      List<PrintOrderRepository.MeshRow> meshes,
      double scale,
      PrinterConfig printer,
      double @Nullable [] down,
      java.util.function.Function<PrintOrderRepository.MeshRow, TriangleMesh> geometry) {
    List<Preparer.Input> inputs = new ArrayList<>();
    for (PrintOrderRepository.MeshRow mesh : meshes) {
      inputs.add(new Preparer.Input(mesh.structure(), mesh.designKind(), geometry.apply(mesh)));
    }
    return Preparer.prepare(
        inputs, scale, printer.bed(), down, order.material(), order.id().value(), slicer);
  }

  TriangleMesh storedMesh(PrintOrderRepository.MeshRow mesh) {
    return Modeling.fromStl(storage.blobs().get(ContentHash.parse(mesh.sha256())));
  }

  /** The configured printer of that id, or null. */
  @Nullable PrinterConfig printer(String id) {
    return printers.get(id);
  }

  /** The stored meshes of these ids, in that order. */
  List<PrintOrderRepository.MeshRow> meshes(List<String> ids) {
    return repository.meshes(ids);
  }

  /**
   * Re-runs recorded preparations from the meshes they used (for {@code reproduce}): the plate, 3MF
   * and G-code hashes and the slicing profile's hash are compared with the recorded ones.
   */
  public org.anatwin.model.Derivation derivation() {
    return new PreparationDerivation(this);
  }

  public static final String SLICE = "anatwin.print.slice.cura-engine";

  /**
   * Prepares an approved order for a printer: every mesh's segmentation must be approved by a
   * radiologist (a design's: the version it was designed on) and every mesh must pass the QA gate
   * (closed, manifold, no self-intersections, walls at the order's scale at least the printer's
   * minimum); each part is turned to the orientation that needs least support and height (or lies
   * on the given {@code down} direction), placed on the bed, sliced by CuraEngine with the
   * printer's profile, and packaged as 3MF. The plate STL, G-code and 3MF are content-hashed blobs;
   * the preparation is an entity derived from the meshes, the order and its approval, the
   * segmentation reviews, with CuraEngine as an agent.
   */
  public PrintOrder prepare(
      PrintOrderId id, String printerId, double @Nullable [] down, Actor actor) {
    PrinterConfig printer = printers.get(printerId);
    if (printer == null) {
      throw new PrintOrderException("print-orders:printer.unknown", "no printer " + printerId);
    }
    PrintOrder order =
        order(id)
            .orElseThrow(
                () ->
                    new PrintOrderException("print-orders:order.unknown", "no print order " + id));
    if (!printer.takes(order.material())) {
      throw new PrintOrderException(
          "print-orders:prepare.material",
          "printer " + printerId + " prints " + printer.materials() + ", not " + order.material());
    }
    if (order.state() != OrderState.APPROVED) {
      throw new PrintOrderException(
          "print-orders:prepare.unapproved",
          "order " + id + " is " + order.state() + "; only an approved order is prepared");
    }
    String approval =
        repository
            .approvalOf(id)
            .orElseThrow(
                () ->
                    new PrintOrderException(
                        "print-orders:prepare.unapproved", "order " + id + " has no approval"));
    List<PrintOrderRepository.MeshRow> meshes = repository.meshes(order.meshIds());
    Map<String, String> segmentation = repository.segmentationApprovals(order.meshIds());
    List<String> unapproved =
        meshes.stream()
            .filter(m -> !segmentation.containsKey(m.id()))
            .map(m -> m.id() + " (" + m.structure() + ")")
            .toList();
    if (!unapproved.isEmpty()) {
      throw new PrintOrderException(
          "print-orders:prepare.segmentation-unapproved",
          "a radiologist has not approved the segmentation of "
              + String.join(", ", unapproved)
              + " (approveSegmentation on the version it comes from)");
    }
    for (PrintOrderRepository.MeshRow mesh : meshes) {
      qaGate(mesh, order.scale(), printer);
    }
    Preparer.Plate plate = plate(order, meshes, order.scale(), printer, down, this::storedMesh);
    ContentHash stl = storage.blobs().put(plate.stl());
    ContentHash threeMf = storage.blobs().put(plate.threeMf());
    CuraSlicer.Sliced sliced = plate.sliced();
    ContentHash gcode = sliced == null ? null : storage.blobs().put(sliced.gcode());
    Instant time = clock.instant();
    String preparationId =
        DerivedIds.createId(
            "preparation",
            id.value(),
            printerId,
            stl.hex(),
            gcode == null ? "" : gcode.hex(),
            time.toString());
    Map<String, Object> fields = new HashMap<>();
    fields.put("id", preparationId);
    fields.put("label", "preparation for " + printerId);
    fields.put("printerId", printerId);
    fields.put("time", time.toString());
    fields.put("plateSha256", stl.hex());
    fields.put("threeMfSha256", threeMf.hex());
    fields.put("heightMm", plate.heightMm());
    fields.put(
        "supportAreaMm2",
        plate.parts().stream().mapToDouble(Preparer.PlacedPart::supportAreaMm2).sum());
    fields.put(
        "orientation",
        plate.parts().stream()
            .map(
                p ->
                    p.structure()
                        + (p.orientationOverridden() ? " (given)" : "")
                        + " down "
                        + java.util.Arrays.toString(p.down()))
            .toList());
    Map<String, String> parameters = new java.util.TreeMap<>();
    parameters.put("printer", printerId);
    parameters.put("scale", Double.toString(order.scale()));
    parameters.put("orientation", down == null ? "automatic" : java.util.Arrays.toString(down));
    List<Agent> agents = new ArrayList<>(List.of(actor.agent(), SOFTWARE));
    if (sliced != null) {
      fields.put("gcodeSha256", gcode.hex());
      fields.put("layers", sliced.layers());
      fields.put("layerHeightMm", printer.bed().profile().layerHeight());
      fields.put("initialLayerHeightMm", printer.bed().profile().initialLayerHeight());
      fields.put("printTimeSeconds", sliced.printTimeSeconds());
      fields.put("filamentMm3", sliced.filamentMm3());
      fields.put("slicer", "CuraEngine " + sliced.engineVersion());
      fields.put("profileSha256", sliced.profileSha256().hex());
      fields.put("profile", printer.bed().profile().printerDefinition());
      parameters.put("slicer", "CuraEngine " + sliced.engineVersion());
      parameters.put("profileSha256", sliced.profileSha256().hex());
      agents.add(
          new Agent(
              Agent.Kind.SOFTWARE,
              "software:cura-engine-" + sliced.engineVersion(),
              "CuraEngine " + sliced.engineVersion()));
    }
    List<String> used = new ArrayList<>(order.meshIds());
    used.add(id.value());
    used.add(approval);
    segmentation.values().stream().distinct().sorted().forEach(used::add);
    Activity activity =
        Activity.of(PREPARE, "1", parameters, used, List.of(preparationId), agents, time);
    atomically(
        () -> {
          repository.transition(
              id,
              current ->
                  new PrintOrderRepository.Change<>(
                      new OrderEvent.Prepared(actor.userName(), actor.role(), time, printerId),
                      List.of(PrintOrderRepository.preparation(id, fields)),
                      List.of(activity),
                      null));
          audit(
              actor,
              "print-order.prepare",
              id.value(),
              "printer="
                  + printerId
                  + (sliced == null
                      ? ""
                      : " layers=" + sliced.layers() + " time=" + sliced.printTimeSeconds() + "s"));
        });
    return order(id).orElseThrow();
  }

  private static void qaGate(
      PrintOrderRepository.MeshRow mesh, double scale, PrinterConfig printer) {
    String name = "mesh " + mesh.id() + " (" + mesh.structure() + ")";
    if (!mesh.watertight() || !mesh.manifold()) {
      throw new PrintOrderException(
          "print-orders:prepare.qa-gate",
          name + " is not a closed manifold surface and cannot be printed");
    }
    if (mesh.selfIntersections() != 0) {
      throw new PrintOrderException(
          "print-orders:prepare.qa-gate",
          name
              + (mesh.selfIntersections() < 0
                  ? " was stored before self-intersections were measured; rebuild it"
                  : " has " + mesh.selfIntersections() + " self-intersecting triangle pairs"));
    }
    double wall = mesh.wallThicknessMm() * scale;
    if (!(wall >= printer.minWallMm())) {
      throw new PrintOrderException(
          "print-orders:prepare.thin-wall",
          String.format(
              Locale.ROOT,
              "%s has walls of %.2f mm at scale %s, under the %.2f mm %s prints",
              name,
              wall,
              scale,
              printer.minWallMm(),
              printer.printer().name()));
    }
  }

  /** A stored preparation file (plate, G-code, 3MF) by its hash, checked against it. */
  public byte[] file(ContentHash sha256) {
    return storage.blobs().get(sha256);
  }

  /** Each order's newest preparation as stored (hashes, figures), by order id. */
  public Map<String, Map<String, Object>> preparations(List<String> orderIds) {
    return repository.preparations(orderIds);
  }

  /** Told of every job event once it is stored (e.g. to push it to subscribers). */
  @FunctionalInterface
  public interface JobListener {
    void jobEvent(PrintJobEvent event);
  }

  private volatile JobListener listener = e -> {};

  public void listen(JobListener listener) {
    this.listener = listener;
  }

  /**
   * Sends a prepared order to its printer: the job's files (G-code, 3MF, a description) are handed
   * to the printer's driver, the job is recorded as QUEUED with its first event, and the printer is
   * asked once how it is doing (a folder printer is done at once). Later states come from {@link
   * #poll()}.
   */
  public PrintJob submit(PrintOrderId id, Actor actor) {
    return submit(id, null, actor);
  }

  private static final java.util.regex.Pattern LOT =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._/-]{0,63}");

  /**
   * As {@link #submit(PrintOrderId, Actor)}, recording the lot of the material loaded on the
   * printer (as on the spool's or cartridge's label): the job, its artefacts and the print's
   * lineage name it, so a recall by lot finds them.
   */
  public PrintJob submit(PrintOrderId id, @Nullable String materialLot, Actor actor) {
    if (materialLot != null && !LOT.matcher(materialLot).matches()) {
      throw new PrintOrderException(
          "print-orders:job.material-lot",
          "a material lot is 1-64 letters, digits, spaces, '.', '_', '/' or '-', as on its label");
    }
    PrintOrder order =
        order(id)
            .orElseThrow(
                () ->
                    new PrintOrderException("print-orders:order.unknown", "no print order " + id));
    new OrderEvent.Queued(actor.userName(), actor.role(), clock.instant(), "").apply(order.state());
    String printerId = order.printerId();
    PrinterConfig printer = printers.get(printerId);
    if (printer == null) {
      throw new PrintOrderException(
          "print-orders:printer.unknown", "printer " + printerId + " is not registered now");
    }
    PrintJobId jobId =
        PrintJobId.parse("print-job-" + UUID.randomUUID().toString().replace("-", ""));
    List<PrinterDriver.JobFile> files = new ArrayList<>();
    List<PrintOrderRepository.MeshRow> meshes = repository.meshes(order.meshIds());
    Map<String, Object> prepared = repository.preparations(List.of(id.value())).get(id.value());
    if (prepared != null) {
      files.add(
          new PrinterDriver.JobFile(
              "job.3mf",
              storage.blobs().get(ContentHash.parse((String) prepared.get("threeMfSha256")))));
      if (prepared.get("gcodeSha256") instanceof String g) {
        files.add(
            new PrinterDriver.JobFile("job.gcode", storage.blobs().get(ContentHash.parse(g))));
      }
    }
    files.add(
        new PrinterDriver.JobFile(
            "job.json", jobDescription(order, jobId, meshes).getBytes(StandardCharsets.UTF_8)));
    String location = printer.driver().submit(jobId.value(), files);
    Instant time = clock.instant();
    PrintJob queued = new PrintJob(jobId, id, printerId, "QUEUED", time, materialLot, List.of());
    atomically(
        () -> {
          repository.transition(
              id,
              current ->
                  new PrintOrderRepository.Change<>(
                      new OrderEvent.Queued(actor.userName(), actor.role(), time, jobId.value()),
                      List.of(
                          PrintOrderRepository.job(queued, order.material(), location),
                          PrintOrderRepository.jobEvent(
                              jobId.value(), 0, "QUEUED", 0, location, time)),
                      List.of(),
                      null));
          audit(
              actor,
              "print-job.submit",
              id.value(),
              "job="
                  + jobId
                  + " printer="
                  + printerId
                  + " lot="
                  + (materialLot == null ? "-" : materialLot));
        });
    listener.jobEvent(new PrintJobEvent(jobId.value(), id.value(), 1, "QUEUED", 0, null, time));
    pollNow(
        new PrintOrderRepository.OpenJob(
            jobId.value(), id.value(), printerId, location, materialLot));
    return jobsOf(List.of(id.value())).get(id.value()).stream()
        .filter(j -> j.id().equals(jobId))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Withdraws an order. Before it reaches a printer the order is simply cancelled; while a job is
   * queued or printing, the printer is asked to stop it first (its answer is recorded as the job's
   * next event by polling), then the order is cancelled. A printed or cancelled order stays as it
   * is.
   */
  public PrintOrder cancel(PrintOrderId id, String reason, Actor actor) {
    if (reason.isBlank()) {
      throw new PrintOrderException("print-orders:cancel.reason", "say why the order is cancelled");
    }
    PrintOrder order =
        order(id)
            .orElseThrow(
                () ->
                    new PrintOrderException("print-orders:order.unknown", "no print order " + id));
    Instant time = clock.instant();
    new OrderEvent.Cancelled(actor.userName(), actor.role(), time, reason).apply(order.state());
    if (order.state() == OrderState.QUEUED || order.state() == OrderState.PRINTING) {
      for (PrintOrderRepository.OpenJob job : repository.openJobs()) {
        if (job.orderId().equals(id.value())) {
          PrinterConfig printer = printers.get(job.printerId());
          if (printer == null) {
            throw new PrintOrderException(
                "print-orders:printer.unknown",
                "printer " + job.printerId() + " is not registered now; cancel the job on it");
          }
          printer.driver().cancel(job.id(), job.location());
          pollNow(job);
        }
      }
    }
    atomically(
        () -> {
          repository.transition(
              id,
              current ->
                  new PrintOrderRepository.Change<>(
                      new OrderEvent.Cancelled(actor.userName(), actor.role(), time, reason),
                      List.of(),
                      List.of(),
                      null));
          audit(actor, "print-order.cancel", id.value(), reason);
        });
    return order(id).orElseThrow();
  }

  /**
   * Asks every printer with an open job how it is doing and records what changed: a job event per
   * change of state or whole percent, the order's STARTED, and on completion the artefacts
   * (PRINTED) or the failure (FAILED). Safe to run from several threads or after a restart: an
   * event is appended only after the one it was compared with, so none is lost or recorded twice.
   * Returns the number of events recorded.
   */
  public int poll() {
    int recorded = 0;
    for (PrintOrderRepository.OpenJob job : repository.openJobs()) {
      try {
        recorded += poll(job);
      } catch (PrintOrderException e) {
        // an unreachable printer or a concurrent poll: the job stays open and is asked again
        audit.append(
            new AuditEvent(
                clock.instant(),
                "anatwin",
                "service",
                "print-job.poll",
                AuditEvent.Outcome.FAILURE,
                List.of(job.id()),
                e.code() + ": " + e.getMessage()));
      }
    }
    return recorded;
  }

  /**
   * Asks the printer about a job right after a person acted on it. When the background poller
   * recorded the same answer meanwhile ({@code print-orders:job.concurrent-update}), that record
   * stands: the person's action succeeded and is not reported as failed.
   */
  private void pollNow(PrintOrderRepository.OpenJob job) {
    try {
      poll(job);
    } catch (PrintOrderException e) {
      if (!e.code().equals("print-orders:job.concurrent-update")) {
        throw e;
      }
    }
  }

  private int poll(PrintOrderRepository.OpenJob job) {
    PrinterConfig printer = printers.get(job.printerId());
    if (printer == null) {
      return 0;
    }
    List<PrintOrderRepository.JobEventRow> events =
        repository.jobEvents(List.of(job.id())).getOrDefault(job.id(), List.of());
    PrintOrderRepository.JobEventRow last = events.isEmpty() ? null : events.getLast();
    PrinterDriver.Status status = printer.driver().status(job.id(), job.location());
    String state = status.state().name();
    double completion = Math.floor(status.completion());
    if (last != null && last.state().equals(state) && last.completion() == completion) {
      return 0;
    }
    int expected = last == null ? 0 : last.seq();
    Instant time = clock.instant();
    PrintOrderId orderId = PrintOrderId.parse(job.orderId());
    Agent printerAgent = Agent.printer(job.printerId(), job.printerId());
    repository.transition(
        orderId,
        order -> {
          var event =
              PrintOrderRepository.jobEvent(
                  job.id(), expected, state, completion, status.detail(), time);
          if (order.state() == OrderState.CANCELLED) {
            // the order was withdrawn: what the printer says is still recorded for the job
            return new PrintOrderRepository.Change<>(null, List.of(event), List.of(), null);
          }
          return switch (status.state()) {
            case PRINTING ->
                new PrintOrderRepository.Change<>(
                    order.state() == OrderState.QUEUED
                        ? new OrderEvent.Started(job.printerId(), "printer", time, job.id())
                        : null,
                    List.of(event),
                    List.of(),
                    null);
            case DONE -> {
              List<Artefact> artefacts = artefacts(order, job, time);
              yield new PrintOrderRepository.Change<>(
                  new OrderEvent.Printed(job.printerId(), "printer", time, job.id()),
                  List.of(event, PrintOrderRepository.artefacts(artefacts)),
                  List.of(printActivity(order, job, artefacts, printerAgent, time)),
                  null);
            }
            case FAILED, CANCELLED ->
                new PrintOrderRepository.Change<>(
                    new OrderEvent.Failed(
                        job.printerId(),
                        "printer",
                        time,
                        job.id(),
                        status.state() + (status.detail() == null ? "" : ": " + status.detail())),
                    List.of(event),
                    List.of(),
                    null);
            case QUEUED -> new PrintOrderRepository.Change<>(null, List.of(event), List.of(), null);
          };
        });
    listener.jobEvent(
        new PrintJobEvent(
            job.id(), job.orderId(), expected + 1, state, completion, status.detail(), time));
    return 1;
  }

  private List<Artefact> artefacts(
      PrintOrder order, PrintOrderRepository.OpenJob job, Instant time) {
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
              ArtefactId.createDerived(job.id(), copy),
              serial,
              order.id().value(),
              job.id(),
              job.printerId(),
              copy,
              time,
              order.material(),
              job.materialLot()));
    }
    return artefacts;
  }

  /**
   * The print: used the meshes, the order, its approval, the preparation (G-code, 3MF, slicer and
   * profile hashes) and the job; generated the artefacts; the printer and our software its agents.
   */
  private Activity printActivity(
      PrintOrder order,
      PrintOrderRepository.OpenJob job,
      List<Artefact> artefacts,
      Agent printer,
      Instant time) {
    List<String> used = new ArrayList<>(order.meshIds());
    used.add(order.id().value());
    repository.approvalOf(order.id()).ifPresent(used::add);
    Map<String, Object> prepared =
        repository.preparations(List.of(order.id().value())).get(order.id().value());
    if (prepared != null) {
      used.add((String) prepared.get("id"));
    }
    used.add(job.id());
    Map<String, String> parameters = new HashMap<>();
    parameters.put("printer", job.printerId());
    parameters.put("material", order.material());
    parameters.put("scale", Double.toString(order.scale()));
    parameters.put("copies", Integer.toString(order.copies()));
    if (job.materialLot() != null) {
      used.add(PrintOrderRepository.lotId(order.material(), job.materialLot()));
      parameters.put("materialLot", job.materialLot());
    }
    return Activity.of(
        "anatwin.print-job",
        "3",
        parameters,
        used,
        artefacts.stream().map(a -> a.id().value()).toList(),
        List.of(printer, SOFTWARE),
        time);
  }

  /** The largest scan accepted, in triangles (a fine structured-light scan of a skull). */
  public static final int MAX_SCAN_TRIANGLES = 4_000_000;

  /**
   * Measures a printed copy against its design: the scan (STL, OBJ, PLY or 3MF in its own frame;
   * {@code unit} applies to a unit-less file: MILLIMETER, MICRON, ...) is registered to the order's
   * meshes at the order's scale and its deviation compared with the tolerance of the order's
   * intended use. The scan and the colour map are kept as blobs; the measurement is an entity
   * derived from the artefact and the meshes. A copy is measured once: the record stands, pass or
   * fail.
   */
  public ArtefactQa recordQa(
      ArtefactId artefactId,
      byte[] scan,
      @Nullable String format,
      String unit,
      String note,
      Actor actor) {
    Double toMillimetres = org.anatwin.modeling.ImportedMesh.UNITS.get(unit);
    if (toMillimetres == null) {
      throw new PrintOrderException(
          "print-orders:qa.unit",
          "unit is one of "
              + new java.util.TreeSet<>(org.anatwin.modeling.ImportedMesh.UNITS.keySet()));
    }
    Artefact artefact = unmeasured(artefactId);
    PrintOrder order = order(PrintOrderId.parse(artefact.orderId())).orElseThrow();
    org.anatwin.modeling.ImportedMesh imported;
    try {
      imported = Modeling.importMesh(scan, format, MAX_SCAN_TRIANGLES);
    } catch (org.anatwin.modeling.ModelingException e) {
      throw new PrintOrderException(
          "print-orders:qa.unreadable",
          "the scan cannot be read: " + e.code() + ": " + e.getMessage());
    }
    org.anatwin.model.TriangleMesh surface =
        imported.unitless() ? imported.mesh().scaled(toMillimetres) : imported.mesh();
    return measure(
        artefact,
        order,
        surface,
        scan,
        Map.of("scanUnit", imported.unitless() ? unit : imported.unit()),
        note,
        actor);
  }

  /** The artefact, refused when unknown or measured already. */
  private Artefact unmeasured(ArtefactId artefactId) {
    Artefact artefact =
        artefact(artefactId)
            .orElseThrow(
                () ->
                    new PrintOrderException(
                        "print-orders:artefact.unknown", "no artefact " + artefactId));
    PrintOrderId orderId = PrintOrderId.parse(artefact.orderId());
    PrintOrder order = order(orderId).orElseThrow();
    if (!order.artefactState(artefactId.value()).equals("PRINTED")) {
      throw new PrintOrderException(
          "print-orders:qa.already-recorded",
          "artefact " + artefact.serialNumber() + " was measured already; its record stands");
    }
    return artefact;
  }

  /**
   * Measures a printed copy from a CT of it: the series (stored like any other) is thresholded at
   * {@code isoHu} (halfway between the material and air; about -400 HU for PLA or resin in air),
   * enclosed voids (infill) are filled so only the part's outer surfaces count, and the
   * iso-surface, placed between voxels by interpolation, is measured as a scan would be.
   */
  public ArtefactQa recordQaFromCt(
      ArtefactId artefactId,
      org.anatwin.model.SeriesInstanceUid series,
      double isoHu,
      String note,
      Actor actor) {
    if (volumes == null) {
      throw new PrintOrderException(
          "print-orders:qa.no-ct", "this service reads no CT series for QA");
    }
    Artefact artefact = unmeasured(artefactId);
    PrintOrder order = order(PrintOrderId.parse(artefact.orderId())).orElseThrow();
    org.anatwin.model.Volume volume = volumes.volumeOf(series);
    org.anatwin.model.TriangleMesh surface;
    try {
      var part =
          org.anatwin.modeling.LabelMaps.fillHoles(
              Modeling.createThresholdLabelMap(volume, (int) Math.ceil(isoHu), Short.MAX_VALUE));
      surface =
          Modeling.simplify(
              Modeling.createIsoSurface(volume, part, isoHu, 0).mesh(), CT_SCAN_TRIANGLES, 0.01);
    } catch (org.anatwin.modeling.ModelingException e) {
      throw new PrintOrderException(
          "print-orders:qa.ct-empty",
          "no part at " + isoHu + " HU in series " + series + ": " + e.getMessage());
    }
    return measure(
        artefact,
        order,
        surface,
        Modeling.toStl(surface),
        Map.of("ctSeries", series.value(), "isoHu", Double.toString(isoHu)),
        note,
        actor);
  }

  /** A CT's surface is decimated to at most this many triangles (within 0.01 mm) for measuring. */
  public static final int CT_SCAN_TRIANGLES = 600_000;

  private ArtefactQa measure(
      Artefact artefact,
      PrintOrder order,
      org.anatwin.model.TriangleMesh surface,
      byte[] scan,
      Map<String, String> source,
      String note,
      Actor actor) {
    ArtefactId artefactId = artefact.id();
    PrintOrderId orderId = order.id();
    List<PrintOrderRepository.MeshRow> meshes = repository.meshes(order.meshIds());
    List<org.anatwin.model.TriangleMesh> design =
        meshes.stream()
            .map(m -> Modeling.fromStl(storage.blobs().get(ContentHash.parse(m.sha256()))))
            .toList();
    double[] extents = org.anatwin.printorders.qa.PartQa.extents(design, order.scale(), surface);
    if (!(extents[1] > extents[0] / 1.5 && extents[1] < extents[0] * 1.5)) {
      throw new PrintOrderException(
          "print-orders:qa.size-mismatch",
          String.format(
              Locale.ROOT,
              "the scan spans %.1f mm but the part was ordered at %.1f mm: check the scan's unit and"
                  + " that it is this part",
              extents[1],
              extents[0]));
    }
    double tolerance = order.intendedUse().toleranceMm();
    org.anatwin.printorders.qa.PartQa.Result result =
        org.anatwin.printorders.qa.PartQa.measure(design, order.scale(), surface, tolerance);
    ContentHash scanHash = storage.blobs().put(scan);
    ContentHash colourMap = storage.blobs().put(result.colourMapPly());
    Instant time = clock.instant();
    String qaId =
        DerivedIds.createId(
            "artefact-qa",
            artefactId.value(),
            scanHash.hex(),
            org.anatwin.printorders.qa.PartQa.VERSION);
    ArtefactQa qa =
        new ArtefactQa(
            qaId,
            artefactId.value(),
            result.passed(),
            result.reason(),
            tolerance,
            result.p95Mm(),
            result.meanAbsoluteMm(),
            result.rmsMm(),
            result.minMm(),
            result.maxMm(),
            result.hausdorffMm(),
            result.registrationRmsMm(),
            result.overlap(),
            result.scanVertices(),
            result.scanAreaMm2(),
            result.largestDefectMm2(),
            scanHash.hex(),
            colourMap.hex(),
            note,
            actor.userName(),
            time);
    List<String> used = new ArrayList<>(List.of(artefactId.value()));
    used.addAll(order.meshIds());
    Activity activity =
        Activity.of(
            org.anatwin.printorders.qa.PartQa.ALGORITHM,
            org.anatwin.printorders.qa.PartQa.VERSION,
            qaParameters(order, tolerance, scanHash, source),
            used,
            List.of(qaId),
            List.of(actor.agent(), SOFTWARE),
            time);
    atomically(
        () -> {
          repository.transition(
              orderId,
              current -> {
                if (!current.artefactState(artefactId.value()).equals("PRINTED")) {
                  throw new PrintOrderException(
                      "print-orders:qa.already-recorded",
                      "artefact " + artefact.serialNumber() + " was measured meanwhile");
                }
                return new PrintOrderRepository.Change<>(
                    new OrderEvent.QaRecorded(
                        actor.userName(),
                        actor.role(),
                        time,
                        artefactId.value(),
                        result.passed(),
                        qaId),
                    List.of(PrintOrderRepository.qa(artefactId.value(), qaFields(qa))),
                    List.of(activity),
                    null);
              });
          audit(
              actor,
              result.passed() ? "artefact.qa.pass" : "artefact.qa.fail",
              artefactId.value(),
              String.format(
                  Locale.ROOT,
                  "p95 %.3f mm, tolerance %.3f mm%s",
                  result.p95Mm(),
                  tolerance,
                  result.passed() ? "" : ": " + result.reason()));
        });
    return qa;
  }

  private static Map<String, String> qaParameters(
      PrintOrder order, double tolerance, ContentHash scan, Map<String, String> source) {
    Map<String, String> p = new HashMap<>(source);
    p.put("intendedUse", order.intendedUse().name());
    p.put("toleranceMmP95", Double.toString(tolerance));
    p.put("scale", Double.toString(order.scale()));
    p.put("scanSha256", scan.hex());
    p.put("registration", Registrations.ICP + " " + Registrations.ICP_VERSION);
    p.put(
        "maxNormalAngleDegrees",
        Double.toString(org.anatwin.printorders.qa.PartQa.MAX_NORMAL_ANGLE_DEGREES));
    return p;
  }

  private static Map<String, Object> qaFields(ArtefactQa qa) {
    Map<String, Object> f = new HashMap<>();
    f.put("id", qa.id());
    f.put("label", (qa.passed() ? "QA passed: " : "QA failed: ") + qa.artefactId());
    f.put("artefactId", qa.artefactId());
    f.put("passed", qa.passed());
    f.put("reason", qa.reason());
    f.put("toleranceMm", qa.toleranceMm());
    f.put("p95Mm", qa.p95Mm());
    f.put("meanAbsoluteMm", qa.meanAbsoluteMm());
    f.put("rmsMm", qa.rmsMm());
    f.put("minMm", qa.minMm());
    f.put("maxMm", qa.maxMm());
    f.put("hausdorffMm", qa.hausdorffMm());
    f.put("registrationRmsMm", qa.registrationRmsMm());
    f.put("overlap", qa.overlap());
    f.put("scanVertices", qa.scanVertices());
    f.put("scanAreaMm2", qa.scanAreaMm2());
    f.put("largestDefectMm2", qa.largestDefectMm2());
    f.put("scanSha256", qa.scanSha256());
    f.put("colourMapSha256", qa.colourMapSha256());
    f.put("note", qa.note());
    f.put("measuredBy", qa.measuredBy());
    f.put("time", qa.time().toString());
    return f;
  }

  private static ArtefactQa qa(Map<String, Object> f) {
    return new ArtefactQa(
        (String) f.get("id"),
        (String) f.get("artefactId"),
        (Boolean) f.get("passed"),
        (String) f.get("reason"),
        ((Number) f.get("toleranceMm")).doubleValue(),
        ((Number) f.get("p95Mm")).doubleValue(),
        ((Number) f.get("meanAbsoluteMm")).doubleValue(),
        ((Number) f.get("rmsMm")).doubleValue(),
        ((Number) f.get("minMm")).doubleValue(),
        ((Number) f.get("maxMm")).doubleValue(),
        ((Number) f.get("hausdorffMm")).doubleValue(),
        ((Number) f.get("registrationRmsMm")).doubleValue(),
        ((Number) f.get("overlap")).doubleValue(),
        ((Number) f.get("scanVertices")).intValue(),
        ((Number) f.get("scanAreaMm2")).doubleValue(),
        ((Number) f.get("largestDefectMm2")).doubleValue(),
        (String) f.get("scanSha256"),
        (String) f.get("colourMapSha256"),
        (String) f.get("note"),
        (String) f.get("measuredBy"),
        Instant.parse((String) f.get("time")));
  }

  /** Each artefact's QA measurement, if it was measured, by artefact id. */
  public Map<String, ArtefactQa> qaOf(List<String> artefactIds) {
    Map<String, ArtefactQa> out = new HashMap<>();
    repository.qaOf(artefactIds).forEach((id, rows) -> out.put(id, qa(rows.getLast())));
    return out;
  }

  /**
   * Hands a copy over to its recipient (a surgeon, a ward). Only a copy whose QA passed is
   * delivered, and only once.
   */
  public Artefact deliver(ArtefactId artefactId, String recipient, Actor actor) {
    Artefact artefact =
        artefact(artefactId)
            .orElseThrow(
                () ->
                    new PrintOrderException(
                        "print-orders:artefact.unknown", "no artefact " + artefactId));
    if (recipient.isBlank() || recipient.length() > 200) {
      throw new PrintOrderException(
          "print-orders:deliver.recipient", "name who receives the part (at most 200 characters)");
    }
    Instant time = clock.instant();
    atomically(
        () -> {
          repository.transition(
              PrintOrderId.parse(artefact.orderId()),
              order -> {
                String state = order.artefactState(artefactId.value());
                switch (state) {
                  case "PRINTED" ->
                      throw new PrintOrderException(
                          "print-orders:deliver.no-qa",
                          "artefact "
                              + artefact.serialNumber()
                              + " has not been measured; record its QA first");
                  case "QA_FAILED" ->
                      throw new PrintOrderException(
                          "print-orders:deliver.qa-failed",
                          "artefact "
                              + artefact.serialNumber()
                              + " failed QA and must not be delivered; print it again");
                  case "DELIVERED" ->
                      throw new PrintOrderException(
                          "print-orders:deliver.already-delivered",
                          "artefact " + artefact.serialNumber() + " was delivered already");
                  default -> {}
                }
                return new PrintOrderRepository.Change<>(
                    new OrderEvent.Delivered(
                        actor.userName(), actor.role(), time, artefactId.value(), recipient),
                    List.of(),
                    List.of(),
                    null);
              });
          audit(actor, "artefact.deliver", artefactId.value(), "to " + recipient);
        });
    return artefact;
  }

  /** What a recall searches by; null criteria are ignored, at least one must be given. */
  public record RecallCriteria(
      @Nullable String printerId,
      @Nullable String material,
      @Nullable String materialLot,
      @Nullable String profileSha256,
      @Nullable String agentId) {}

  /** The most artefacts one recall returns. */
  public static final int MAX_RECALL = 10_000;

  /**
   * Every artefact matching all the given criteria: made on a printer, of a material or material
   * lot, sliced with a profile (its hash), or with an agent (e.g. {@code software:anatwin/0.1.0},
   * {@code software:cura-engine-5.0.0}, {@code person:alice}) associated with any activity upstream
   * of it. The query is audited.
   */
  public List<Artefact> recall(RecallCriteria criteria, Actor actor) {
    if (criteria.printerId() == null
        && criteria.material() == null
        && criteria.materialLot() == null
        && criteria.profileSha256() == null
        && criteria.agentId() == null) {
      throw new PrintOrderException(
          "print-orders:recall.no-criteria",
          "name a printer, material, material lot, slicer profile hash or agent to recall by");
    }
    List<Artefact> found =
        repository.recall(
            criteria.printerId(),
            criteria.material(),
            criteria.materialLot(),
            criteria.profileSha256(),
            criteria.agentId(),
            MAX_RECALL);
    audit(actor, "artefact.recall", "recall", criteria + " -> " + found.size() + " artefacts");
    return found;
  }

  /**
   * Each artefact's label record: serial, copy, patient (null when the meshes name none), clinical
   * note, intended use, material and lot, printer, date, scale and structures. It holds PHI: show
   * the patient's identity and the note only to the care team.
   */
  public Map<String, ArtefactLabel> labels(List<Artefact> artefacts) {
    Map<String, PrintOrderRepository.LabelRow> rows =
        repository.labels(artefacts.stream().map(a -> a.id().value()).toList());
    Map<String, ArtefactLabel> out = new HashMap<>();
    for (Artefact a : artefacts) {
      PrintOrderRepository.LabelRow row = rows.get(a.id().value());
      if (row == null) {
        continue;
      }
      Map<String, Object> p = row.patient();
      out.put(
          a.id().value(),
          new ArtefactLabel(
              a.serialNumber(),
              a.copy(),
              row.copies(),
              p == null ? null : (String) p.get("name"),
              p == null ? null : (String) p.get("patientId"),
              p == null ? null : (String) p.get("birthDate"),
              p == null ? null : (String) p.get("pseudonym"),
              row.clinicalNote(),
              IntendedUse.valueOf(row.intendedUse()),
              a.material(),
              a.materialLot(),
              a.printerId(),
              a.printedAt(),
              row.scale(),
              row.structures()));
    }
    return out;
  }

  /** Each job's events, in order. */
  public Map<String, List<PrintJobEvent>> jobEvents(List<String> jobIds) {
    Map<String, List<PrintJobEvent>> out = new HashMap<>();
    repository
        .jobEvents(jobIds)
        .forEach(
            (job, rows) ->
                out.put(
                    job,
                    rows.stream()
                        .map(
                            r ->
                                new PrintJobEvent(
                                    r.jobId(),
                                    r.orderId(),
                                    r.seq(),
                                    r.state(),
                                    r.completion(),
                                    r.detail(),
                                    Instant.parse(r.time())))
                        .toList()));
    return out;
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

  /**
   * Runs the writes and the audit event in one graph transaction: if the event cannot be written,
   * nothing of the operation is (fail closed).
   */
  private void atomically(Runnable work) {
    storage.graph().atomically(work);
  }

  private void audit(Actor actor, String action, String subject, String detail) {
    audit.append(AuditEvent.success(clock.instant(), actor, action, List.of(subject), detail));
  }

  public Optional<PrintOrder> order(PrintOrderId id) {
    return repository.orders(List.of(id.value())).stream().findFirst();
  }

  /** The orders with these ids (unknown ones left out), from one query. */
  public List<PrintOrder> orders(List<String> ids) {
    return repository.orders(ids);
  }

  /**
   * The newest {@code first} orders in one of {@code states} (any state when empty), newest first:
   * the print queue. The state is the fold of each order's events, so orders are read a page at a
   * time until enough match.
   */
  public List<PrintOrder> queue(java.util.Set<OrderState> states, int first) {
    List<PrintOrder> out = new java.util.ArrayList<>();
    int page = 200;
    for (int skip = 0; out.size() < first; skip += page) {
      List<PrintOrder> newest = repository.newest(skip, page);
      for (PrintOrder o : newest) {
        if ((states.isEmpty() || states.contains(o.state())) && out.size() < first) {
          out.add(o);
        }
      }
      if (newest.size() < page) {
        break;
      }
    }
    return out;
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

  /** A registered printer's configuration (bed, thinnest wall, materials), if registered now. */
  public Optional<PrinterConfig> printerConfig(String id) {
    return Optional.ofNullable(printers.get(id));
  }
}

package org.anatwin.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.anatwin.ingest.internal.DataSetEquivalence;
import org.anatwin.ingest.internal.DicomInstance;
import org.anatwin.ingest.internal.DicomStructure;
import org.anatwin.ingest.internal.SeriesAssembler;
import org.anatwin.ingest.internal.SyntheticPhantom;
import org.anatwin.ingest.persistence.DicomRepository;
import org.anatwin.model.Actor;
import org.anatwin.model.Agent;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.AuditSink;
import org.anatwin.model.ContentHash;
import org.anatwin.model.PatientKey;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.SopInstanceUid;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeSource;
import org.anatwin.storage.Storage;
import org.apache.commons.numbers.core.Precision;
import org.jspecify.annotations.Nullable;

/**
 * Entry point of the ingest module. Stores DICOM instances idempotently (blob first, made durable,
 * then the graph transaction; a success is reported only after both), reads the DICOM hierarchy
 * back, and assembles stored series into volumes for whoever builds twin versions.
 */
public final class Ingest implements VolumeSource {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Ingest.class);

  /**
   * Limits on what is accepted; an object over a limit is refused with its code, never truncated:
   * bytes of one instance (file, C-STORE data set, STOW part), entries of a zip, elements of one
   * instance, bytes of one element's value, sequence nesting, and bytes of one STOW-RS body.
   */
  public record Limits(
      long maxInstanceBytes,
      int maxZipEntries,
      int maxElements,
      long maxElementBytes,
      int maxSequenceDepth,
      long maxStowBytes) {
    public static Limits defaults() {
      return new Limits(1L << 30, 100_000, 200_000, 1L << 30, 12, 1L << 31);
    }

    /** These limits with every value that is not positive (unset) replaced by its default. */
    public Limits orDefaults() {
      Limits d = defaults();
      return new Limits(
          maxInstanceBytes > 0 ? maxInstanceBytes : d.maxInstanceBytes,
          maxZipEntries > 0 ? maxZipEntries : d.maxZipEntries,
          maxElements > 0 ? maxElements : d.maxElements,
          maxElementBytes > 0 ? maxElementBytes : d.maxElementBytes,
          maxSequenceDepth > 0 ? maxSequenceDepth : d.maxSequenceDepth,
          maxStowBytes > 0 ? maxStowBytes : d.maxStowBytes);
    }

    public Limits withMaxInstanceBytes(long bytes) {
      return new Limits(
          bytes, maxZipEntries, maxElements, maxElementBytes, maxSequenceDepth, maxStowBytes);
    }

    public Limits withMaxZipEntries(int entries) {
      return new Limits(
          maxInstanceBytes, entries, maxElements, maxElementBytes, maxSequenceDepth, maxStowBytes);
    }

    public Limits withMaxElementBytes(long bytes) {
      return new Limits(
          maxInstanceBytes, maxZipEntries, maxElements, bytes, maxSequenceDepth, maxStowBytes);
    }

    public Limits withMaxStowBytes(long bytes) {
      return new Limits(
          maxInstanceBytes, maxZipEntries, maxElements, maxElementBytes, maxSequenceDepth, bytes);
    }

    DicomStructure.Limits structure() {
      return new DicomStructure.Limits(
          maxElements, maxSequenceDepth, maxElementBytes, maxInstanceBytes);
    }
  }

  private static final Agent SOFTWARE = Agent.anatwin();
  private final Storage storage;
  private final DicomRepository repository;
  private final AuditSink audit;
  private final Limits limits;
  private final Clock clock;
  private final List<ReceiptListener> receiptListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** How stored series and one-shot folders alike become volumes; stateless, so shared. */
  static final SeriesAssembler ASSEMBLER =
      new SeriesAssembler(
          SeriesAssembler.TiltPolicy.RESAMPLE,
          Precision.doubleEquivalenceOfEpsilon(1e-4),
          Precision.doubleEquivalenceOfEpsilon(0.01));

  public Ingest(Storage storage, AuditSink audit, Limits limits, Clock clock) {
    this.storage = storage;
    this.repository = new DicomRepository(storage.graph(), audit);
    this.audit = audit;
    this.limits = limits;
    this.clock = clock;
  }

  /** The limits this ingest enforces. */
  public Limits limits() {
    return limits;
  }

  /** Parses one object within this ingest's limits. */
  DicomInstance parse(byte[] bytes) {
    return DicomInstance.parse(bytes, limits.structure());
  }

  /**
   * Told of every new instance received over the network (C-STORE, STOW-RS), after it is durable,
   * with its series and the route; not of folder imports or duplicates. Must return quickly.
   */
  @FunctionalInterface
  public interface ReceiptListener {
    void received(SeriesInstanceUid series, String route);
  }

  /** Adds a listener of network receipts. */
  public void onReceipt(ReceiptListener listener) {
    receiptListeners.add(listener);
  }

  /** What storing one file did. */
  public enum Stored {
    NEW,
    DUPLICATE
  }

  /**
   * Imports every regular file under {@code path} (a folder, recursively, in name order) or every
   * entry of a zip file. Files that are not DICOM or are refused are listed in the report with
   * their codes; the rest are stored. Names are only reported, never used to build a path.
   */
  public ImportReport importFolder(Path path, Actor actor) {
    Importer importer = new Importer(actor);
    if (Files.isDirectory(path)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(path)) {
        files = walk.filter(Files::isRegularFile).sorted().toList();
      } catch (IOException e) {
        throw new IngestException(
            "ingest:import.unreadable", "cannot list " + path + ": " + e.getMessage(), e);
      }
      for (Path file : files) {
        String name = path.relativize(file).toString();
        importer.accept(
            name,
            () -> {
              long size = Files.size(file);
              if (size > limits.maxInstanceBytes()) {
                throw tooLarge(name, size);
              }
              return Files.readAllBytes(file);
            });
      }
    } else if (Files.isRegularFile(path)
        && path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip")) {
      importZip(path, importer);
    } else {
      throw new IngestException(
          "ingest:import.not-a-folder", "not a readable folder or zip file: " + path);
    }
    return importer.finish();
  }

  /**
   * Imports a zip's entries. A zip with more entries than the limit is refused whole before any
   * entry is stored (a first pass counts the entries, streaming, in constant memory), so it never
   * half-imports.
   */
  private void importZip(Path zip, Importer importer) {
    try {
      int entries = 0;
      try (java.util.zip.ZipInputStream in =
          new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
        for (java.util.zip.ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
          if (!entry.isDirectory() && ++entries > limits.maxZipEntries()) {
            importer.reject(
                zip.getFileName().toString(),
                new IngestException(
                    "ingest:zip.too-many-entries",
                    "the zip file has more than "
                        + limits.maxZipEntries()
                        + " entries; none was imported"));
            return;
          }
        }
      }
      try (java.util.zip.ZipInputStream in =
          new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
        for (java.util.zip.ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
          if (entry.isDirectory()) {
            continue;
          }
          String name = entry.getName();
          importer.accept(name, () -> readBounded(in, name));
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      importer.reject(
          zip.getFileName().toString(),
          new IngestException(
              "ingest:zip.unreadable", "the zip file is damaged: " + e.getMessage(), e));
    }
  }

  /**
   * Reads one entry, refusing it as soon as it passes the instance size limit (zip bombs stop
   * there).
   */
  private byte[] readBounded(java.io.InputStream in, String name) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    for (int n; (n = in.read(buffer)) > 0; ) {
      total += n;
      if (total > limits.maxInstanceBytes()) {
        throw tooLarge(name, total);
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  private IngestException tooLarge(String name, long size) {
    return new IngestException(
        "ingest:file.too-large",
        name
            + " has more than "
            + (size - 1)
            + " bytes, over the limit of "
            + limits.maxInstanceBytes());
  }

  /** Reads one file's bytes; may refuse it. */
  @FunctionalInterface
  private interface Source {
    byte[] read() throws IOException;
  }

  /** Stores files one by one and reports what happened to each. */
  private final class Importer {
    private final Actor actor;
    private int stored;
    private int duplicates;
    private final List<ImportReport.Rejection> rejected = new ArrayList<>();
    private final TreeSet<String> series = new TreeSet<>();

    Importer(Actor actor) {
      this.actor = actor;
    }

    void accept(String name, Source source) {
      try {
        byte[] bytes = source.read();
        DicomInstance instance = parse(bytes);
        switch (store(instance, bytes, actor, IMPORT_ROUTE)) {
          case NEW -> stored++;
          case DUPLICATE -> duplicates++;
        }
        series.add(instance.seriesInstanceUid().value());
      } catch (IngestException e) {
        reject(name, e);
      } catch (IOException e) {
        reject(
            name,
            new IngestException(
                "ingest:file.unreadable",
                e.getMessage() == null ? "unreadable" : e.getMessage(),
                e));
      }
    }

    void reject(String name, IngestException e) {
      rejected.add(new ImportReport.Rejection(name, e.code(), e.getMessage()));
    }

    ImportReport finish() {
      audit.append(
          new AuditEvent(
              clock.instant(),
              actor.userName(),
              actor.role(),
              "dicom.import",
              rejected.isEmpty() ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE,
              List.copyOf(series),
              "stored=" + stored + " duplicates=" + duplicates + " rejected=" + rejected.size()));
      return new ImportReport(stored, duplicates, rejected, series);
    }
  }

  /** What storing one received object did, with its SOP Class and Instance UIDs. */
  public record Receipt(String sopClassUid, String sopInstanceUid, Stored outcome) {}

  /**
   * Stores one object received over the network (STOW-RS, ...): parsed, blob made durable, graph
   * committed, before this returns. Throws {@link IngestException} with the refusal's code.
   */
  public Receipt receive(byte[] bytes, Actor sender, String route) {
    if (bytes.length > limits.maxInstanceBytes()) {
      throw tooLarge("the object", bytes.length + 1L);
    }
    DicomInstance instance = parse(bytes);
    Stored outcome = store(instance, bytes, sender, route);
    return new Receipt(instance.sopClassUid(), instance.sopInstanceUid().value(), outcome);
  }

  /** A remote DICOM application entity we may send to. */
  public record RemoteAe(String host, int port, String aeTitle) {
    public RemoteAe {
      if (port < 1 || port > 65535 || aeTitle.isBlank() || aeTitle.length() > 16) {
        throw new IngestException(
            "ingest:send.remote",
            "a remote AE needs a host, a port and an AE title of 1 to 16 characters");
      }
    }
  }

  /** What a send did: instances the remote stored, refused, or stored with a warning. */
  public record SendReport(int sent, int failed, int warnings) {}

  /**
   * Sends every stored instance of a series to a remote AE with C-STORE (one association), as
   * {@code callingAeTitle}, and audits it. Throws {@code ingest:send.failed} when the remote cannot
   * be reached or the association fails.
   */
  public SendReport send(
      SeriesInstanceUid series, RemoteAe remote, String callingAeTitle, Actor actor, Path spool) {
    List<DicomRepository.StoredInstance> instances = repository.instancesOf(series);
    if (instances.isEmpty()) {
      throw new IngestException(
          "ingest:series.unknown", "no stored instances for series " + series);
    }
    DicomSender.Counts counts;
    try {
      counts =
          DicomSender.send(
              storage.blobs(),
              instances.stream().map(DicomRepository.StoredInstance::blob).toList(),
              remote,
              callingAeTitle,
              spool);
    } catch (IngestException e) {
      auditRefusal(actor, "dicom.send", e);
      throw e;
    }
    audit.append(
        new AuditEvent(
            clock.instant(),
            actor.userName(),
            actor.role(),
            "dicom.send",
            counts.failed() == 0 ? AuditEvent.Outcome.SUCCESS : AuditEvent.Outcome.FAILURE,
            List.of(series.value()),
            "to "
                + remote.aeTitle()
                + "@"
                + remote.host()
                + ":"
                + remote.port()
                + " sent="
                + counts.completed()
                + " failed="
                + counts.failed()));
    return new SendReport(counts.completed(), counts.failed(), counts.warnings());
  }

  /** Starts the C-STORE / C-ECHO SCP; the caller closes it. */
  public DicomListener listen(DicomListener.Settings settings) {
    return new DicomListener(this, settings);
  }

  /** Records what a network receipt (an association, a STOW request) stored, as one audit event. */
  public void auditReceipt(Actor sender, String action, int stored, int duplicates) {
    audit.append(
        AuditEvent.success(
            clock.instant(),
            sender,
            action,
            List.of(),
            "stored=" + stored + " duplicates=" + duplicates));
  }

  /** Records a refused object as a failed event of its own, with the refusal's code. */
  public void auditRefusal(Actor sender, String action, IngestException refusal) {
    audit.append(
        new AuditEvent(
            clock.instant(),
            sender.userName(),
            sender.role(),
            action,
            AuditEvent.Outcome.FAILURE,
            List.of(),
            refusal.code() + ": " + refusal.getMessage()));
  }

  /**
   * Stores one parsed instance. Same SOP Instance UID and same dataset: a duplicate, nothing
   * written. Same UID and a different dataset: refused with {@code ingest:instance.conflict}, the
   * stored original untouched.
   *
   * <p>The blob is written (made durable) while the graph transaction finds out whether the
   * instance is new, and the transaction commits only once it is durable; most instances are new,
   * so the file's fsyncs leave the response path. When the instance turns out not to be new, a blob
   * written only for it is removed again (see {@link #checkDuplicate}).
   */
  Stored store(DicomInstance instance, byte[] bytes, Actor actor, String route) {
    Instant receivedAt = clock.instant();
    CompletableFuture<Boolean> blob =
        CompletableFuture.supplyAsync(
            () -> storage.blobs().putIfAbsent(instance.fileHash(), bytes),
            task -> Thread.ofVirtual().start(task));
    Optional<ContentHash> known =
        repository.create(
            instance,
            receivedAt,
            List.of(actor.agent(), SOFTWARE),
            route,
            () -> durable(blob),
            AuditEvent.success(
                receivedAt,
                actor,
                "dicom.store",
                List.of(instance.sopInstanceUid().entityId(), instance.seriesInstanceUid().value()),
                "route="
                    + route
                    + " sopClassUid="
                    + instance.sopClassUid()
                    + " sha256="
                    + instance.fileHash().hex()));
    if (known.isPresent()) {
      return checkDuplicate(instance, bytes, known.get(), route, wroteQuietly(blob));
    }
    if (!route.equals(IMPORT_ROUTE)) {
      for (ReceiptListener listener : receiptListeners) {
        listener.received(instance.seriesInstanceUid(), route);
      }
    }
    return Stored.NEW;
  }

  /** Waits for the blob's write; its failure fails the caller (the graph transaction). */
  private static boolean durable(CompletableFuture<Boolean> blob) {
    try {
      return blob.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Whether the blob's write created it; false when it failed (nothing then to remove). */
  private static boolean wroteQuietly(CompletableFuture<Boolean> blob) {
    try {
      return blob.join();
    } catch (java.util.concurrent.CompletionException e) {
      log.warn("a blob written for an instance that was stored already failed", e.getCause());
      return false;
    }
  }

  /** The route of files stored by {@link #importFolder}. */
  static final String IMPORT_ROUTE = "import";

  /**
   * Same dataset, as sent or in another of the transfer syntaxes we store: a duplicate, nothing
   * written. A different dataset under a stored UID is refused; its bytes are kept in quarantine (a
   * blob and a {@code Quarantined} node, never an {@code Instance}) so a person can see what was
   * sent, and the stored original stays untouched.
   */
  private Stored checkDuplicate(
      DicomInstance instance, byte[] bytes, ContentHash stored, String route, boolean wroteBlob) {
    if (stored.equals(instance.datasetHash()) || sameInAnotherEncoding(instance, bytes)) {
      if (wroteBlob) {
        discardUnlessStored(instance);
      }
      return Stored.DUPLICATE;
    }
    storage.blobs().put(bytes);
    repository.quarantine(instance, stored, route, clock.instant());
    throw new IngestException(
        "ingest:instance.conflict",
        "SOP Instance UID "
            + instance.sopInstanceUid()
            + " is already stored with a different dataset; the stored instance was kept and this one refused and quarantined as "
            + instance.fileHash());
  }

  /**
   * Removes the blob written for a duplicate, unless it is the stored instance's own file (the same
   * bytes, stored by a concurrent sender): identical bytes carry one SOP Instance UID, so no other
   * instance can reference it, and a quarantined copy would have made this one a conflict.
   */
  private void discardUnlessStored(DicomInstance instance) {
    Optional<DicomRepository.InstanceRow> row = repository.instance(instance.sopInstanceUid());
    if (row.isPresent() && !row.get().blob().equals(instance.fileHash())) {
      storage.blobs().discard(instance.fileHash());
    }
  }

  /**
   * Whether the stored instance under this UID holds the same data set as {@code bytes} in another
   * transfer syntax (a PACS re-sending what it transcoded): decoded and compared, never assumed.
   */
  private boolean sameInAnotherEncoding(DicomInstance instance, byte[] bytes) {
    byte[] original;
    try {
      original = instance(instance.sopInstanceUid()).bytes();
    } catch (RuntimeException e) {
      return false;
    }
    return DataSetEquivalence.same(original, bytes, instance.sopInstanceUid().value());
  }

  @Override
  public StoredObject instance(SopInstanceUid uid) {
    DicomRepository.InstanceRow row =
        repository
            .instance(uid)
            .orElseThrow(
                () ->
                    new IngestException(
                        "ingest:instance.unknown", "no stored instance " + uid.value()));
    return new StoredObject(
        uid,
        row.sopClassUid(),
        SeriesInstanceUid.of(row.seriesUid()),
        row.datasetHash(),
        storage.blobs().get(row.blob()));
  }

  @Override
  public Volume volumeOf(SeriesInstanceUid series) {
    List<DicomRepository.StoredInstance> instances = repository.instancesOf(series);
    if (instances.isEmpty()) {
      throw new IngestException(
          "ingest:series.unknown", "no stored instances for series " + series);
    }
    List<SeriesAssembler.Slice> slices =
        instances.stream()
            .map(i -> new SeriesAssembler.Slice(i.source(), storage.blobs().get(i.blob())))
            .toList();
    return ASSEMBLER.assemble(series, slices);
  }

  /**
   * What to look for among patients: text in the pseudonym, and in name or patient id when {@code
   * byIdentity}; a modality among their series; a range of study dates (inclusive, {@code YYYYMMDD}
   * or {@code YYYY-MM-DD}). Null matches everything.
   */
  public record PatientFilter(
      @Nullable String search,
      boolean byIdentity,
      @Nullable String modality,
      @Nullable String studyDateFrom,
      @Nullable String studyDateTo) {
    public PatientFilter {
      studyDateFrom = dicomDate(studyDateFrom);
      studyDateTo = dicomDate(studyDateTo);
    }

    private static @Nullable String dicomDate(@Nullable String date) {
      if (date == null || date.isBlank()) {
        return null;
      }
      String digits = date.replace("-", "");
      if (!digits.matches("\\d{8}")) {
        throw new IngestException(
            "ingest:query.date", "dates are YYYYMMDD or YYYY-MM-DD, not '" + date + "'");
      }
      return digits;
    }
  }

  /** Patients in id order after a cursor, matching the filter. */
  public List<Map<String, Object>> patients(
      int limit, @Nullable String after, PatientFilter filter) {
    return repository.patients(
        limit,
        after,
        filter.search(),
        filter.byIdentity(),
        filter.modality(),
        filter.studyDateFrom(),
        filter.studyDateTo());
  }

  public Optional<Map<String, Object>> patient(String id) {
    return repository.patient(id);
  }

  /** Patients by id, in one query; ids not found are absent. */
  public Map<String, Map<String, Object>> patients(List<String> ids) {
    return repository.patients(ids);
  }

  /** The patient a pseudonym stands for. */
  public Optional<Map<String, Object>> patientByPseudonym(String pseudonym) {
    return repository.patientByPseudonym(pseudonym);
  }

  public Map<String, List<Map<String, Object>>> studiesOf(List<String> patientIds) {
    return repository.studiesOf(patientIds);
  }

  public Map<String, List<Map<String, Object>>> seriesOf(List<String> studyUids) {
    return repository.seriesOf(studyUids);
  }

  public Optional<Map<String, Object>> series(String uid) {
    return repository.series(uid);
  }

  /**
   * Records that a series waits to be processed once stable (automatic segmentation), or that it no
   * longer does; kept in the graph so a restart resumes the wait.
   */
  public void markAwaiting(SeriesInstanceUid series, boolean awaiting) {
    repository.await(series, awaiting);
  }

  /** The series waiting to be processed, by UID. */
  public java.util.Set<String> awaitingSeries() {
    return repository.awaiting().keySet();
  }

  @Override
  public PatientKey patientOf(SeriesInstanceUid series) {
    return repository
        .patientOf(series)
        .map(PatientKey::parse)
        .orElseThrow(
            () -> new IngestException("ingest:series.unknown", "no stored series " + series));
  }

  /**
   * Assembles a volume straight from a folder of DICOM files, without storing anything: the files
   * are parsed within the default limits, grouped by series, and the series with the most images is
   * assembled (gantry tilt resampled, uneven spacing resampled, missing slices refused). For the
   * one-shot command line; the service stores first and assembles from the store.
   */
  public static Volume volumeFromFolder(Path folder) {
    Map<String, List<SeriesAssembler.Slice>> bySeries = new java.util.TreeMap<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new IngestException(
          "ingest:import.unreadable", "cannot list " + folder + ": " + e.getMessage(), e);
    }
    for (Path file : files) {
      byte[] bytes;
      DicomInstance instance;
      try {
        bytes = Files.readAllBytes(file);
        instance = DicomInstance.parse(bytes);
      } catch (IOException | IngestException e) {
        continue; // not DICOM, or refused: not part of any series we can assemble
      }
      bySeries
          .computeIfAbsent(instance.seriesInstanceUid().value(), k -> new ArrayList<>())
          .add(
              new SeriesAssembler.Slice(
                  new org.anatwin.model.SourceInstance(
                      instance.sopInstanceUid(), instance.datasetHash()),
                  bytes));
    }
    var largest =
        bySeries.entrySet().stream()
            .max(java.util.Comparator.comparingInt(e -> e.getValue().size()))
            .orElseThrow(
                () ->
                    new IngestException(
                        "ingest:series.none", "no readable DICOM image under " + folder));
    return ASSEMBLER.assemble(SeriesInstanceUid.of(largest.getKey()), largest.getValue());
  }

  /**
   * Writes the project's synthetic CT phantom (a skull-like shell series and a femur-like tube
   * series, real DICOM files) under {@code dir}; returns the skull series' folder.
   */
  public static Path writePhantom(Path dir) {
    return writePhantom(dir, 1);
  }

  /**
   * As {@link #writePhantom(Path)} for phantom patient {@code patient}: 1 is the demo patient, any
   * other has its own patient id, name and UIDs (to test what must not mix patients).
   */
  public static Path writePhantom(Path dir, int patient) {
    SyntheticPhantom.write(dir, patient);
    return dir.resolve("skull");
  }
}

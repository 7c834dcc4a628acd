package org.anatwin.versioning;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.anatwin.model.Actor;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.AuditSink;
import org.anatwin.model.ContentHash;
import org.anatwin.model.DerivedIds;
import org.anatwin.modeling.ModelDescriptor;
import org.anatwin.modeling.SegmentationModel;
import org.anatwin.storage.Storage;
import org.anatwin.versioning.persistence.ModelRepository;

/**
 * The registry of segmentation models. Registering checks the ONNX file against its descriptor by
 * loading it into ONNX Runtime (a file that does not load, or does not fit its descriptor, is
 * refused and nothing is stored), keeps both as content-addressed blobs and records the model as a
 * lineage entity, audited. A name and version name one model forever: the same files again are
 * accepted as they are, other files under a registered name and version are refused ({@code
 * versioning:model.conflict}). Loaded models stay open for inference until the registry closes.
 */
public final class SegmentationModels implements AutoCloseable {
  private final Storage storage;
  private final AuditSink audit;
  private final Clock clock;
  private final int threads;
  private final ModelRepository repository;
  private final Map<String, SegmentationModel> open = new ConcurrentHashMap<>();

  /** {@code threads}: ONNX Runtime's intra-op threads per inference (fixed, for determinism). */
  public SegmentationModels(Storage storage, AuditSink audit, Clock clock, int threads) {
    this.storage = storage;
    this.audit = audit;
    this.clock = clock;
    this.threads = threads;
    this.repository = new ModelRepository(storage.graph());
  }

  /** A registration's outcome: the model, and whether this call created it. */
  public record Registration(RegisteredModel model, boolean created) {}

  /** Registers a model (ONNX bytes and descriptor JSON) on behalf of {@code actor}. */
  public Registration register(byte[] onnx, byte[] descriptorJson, Actor actor) {
    SegmentationModel loaded = SegmentationModel.load(onnx, descriptorJson, threads);
    ModelDescriptor d = loaded.descriptor();
    Optional<RegisteredModel> known = repository.byKey(d.key());
    if (known.isPresent()) {
      loaded.close();
      return new Registration(same(known.get(), loaded.onnxHash(), loaded.descriptorHash()), false);
    }
    ContentHash onnxHash = storage.blobs().put(onnx);
    ContentHash descriptorHash = storage.blobs().put(descriptorJson);
    Instant time = clock.instant();
    RegisteredModel model =
        new RegisteredModel(
            DerivedIds.createId(
                "segmentation-model", d.key(), onnxHash.hex(), descriptorHash.hex()),
            d.key(),
            d.name(),
            d.version(),
            d.modality(),
            d.bodyParts(),
            d.labels().stream().map(l -> l.value() + " " + l.name()).toList(),
            onnxHash.hex(),
            descriptorHash.hex(),
            actor.userName(),
            time.toString());
    Optional<RegisteredModel> taken =
        repository.createUnlessTaken(
            model,
            () ->
                audit.append(
                    AuditEvent.success(
                        time,
                        actor,
                        "model.register",
                        List.of(model.id()),
                        model.key() + " onnx sha256 " + model.onnxSha256())));
    if (taken.isPresent()) {
      // registered by a concurrent call meanwhile: the same files are that registration
      loaded.close();
      return new Registration(same(taken.get(), onnxHash, descriptorHash), false);
    }
    SegmentationModel previous = open.put(model.key(), loaded);
    if (previous != null) {
      previous.close();
    }
    return new Registration(model, true);
  }

  private static RegisteredModel same(
      RegisteredModel known, ContentHash onnx, ContentHash descriptor) {
    if (!known.onnxSha256().equals(onnx.hex())
        || !known.descriptorSha256().equals(descriptor.hex())) {
      throw new VersioningException(
          "versioning:model.conflict",
          "model "
              + known.key()
              + " is registered with other files (ONNX sha256 "
              + known.onnxSha256()
              + "); a changed model needs a new version");
    }
    return known;
  }

  /** The model registered under {@code name@version}. */
  public Optional<RegisteredModel> find(String key) {
    return repository.byKey(key);
  }

  /** The model registered under {@code name@version}, or {@code versioning:model.unknown}. */
  public RegisteredModel require(String key) {
    return find(key)
        .orElseThrow(
            () ->
                new VersioningException(
                    "versioning:model.unknown", "no segmentation model is registered as " + key));
  }

  /** Every registered model, by key. */
  public List<RegisteredModel> all() {
    return repository.all();
  }

  /** The model ready for inference, loaded from its stored blobs on first use. */
  public SegmentationModel open(RegisteredModel model) {
    return open.computeIfAbsent(
        model.key(),
        k ->
            SegmentationModel.load(
                storage.blobs().get(ContentHash.parse(model.onnxSha256())),
                storage.blobs().get(ContentHash.parse(model.descriptorSha256())),
                threads));
  }

  @Override
  public void close() {
    open.values().forEach(SegmentationModel::close);
    open.clear();
  }
}

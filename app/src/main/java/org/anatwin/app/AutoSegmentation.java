package org.anatwin.app;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.anatwin.audit.AuditLog;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.model.AnatwinException;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.modeling.SegmentationModel;
import org.anatwin.versioning.RegisteredModel;
import org.anatwin.versioning.SegmentationModels;
import org.anatwin.versioning.TwinVersion;
import org.anatwin.versioning.Twins;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Segmentation models at work without anyone asking. At start the shipped model ({@link
 * SegmentationModel#BUNDLED}) is registered (again: the same files are accepted as they are). With
 * {@code anatwin.segmentation.auto.enabled}, every series that receives new instances over the
 * network (C-STORE, STOW-RS; folder imports are bulk loads and are not watched) is segmented once
 * it is stable, when a rule names a model for its modality and body part: the result is a PROPOSED
 * version that only a radiologist's approval makes printable. One series at a time, in order of
 * stability. The wait is marked on the series in the graph, so series received before a restart are
 * segmented after it. A refusal (model not suited, nothing found, unassemblable series) is logged
 * and audited as a failed {@code twin.propose-version} with its code; the series is tried again
 * only if more instances arrive.
 */
@Component
class AutoSegmentation implements ApplicationRunner, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AutoSegmentation.class);
  static final Actor ACTOR = new Actor("anatwin-auto-segmentation", "system");

  private final SegmentationProperties properties;
  private final SegmentationModels models;
  private final Twins twins;
  private final Ingest ingest;
  private final AuditLog audit;
  private final Clock clock;
  private final Map<SeriesInstanceUid, Instant> lastArrival = new ConcurrentHashMap<>();
  private Periodic watcher;

  AutoSegmentation(
      SegmentationProperties properties,
      SegmentationModels models,
      Twins twins,
      Ingest ingest,
      AuditLog audit,
      Clock clock) {
    this.properties = properties;
    this.models = models;
    this.twins = twins;
    this.ingest = ingest;
    this.audit = audit;
    this.clock = clock;
  }

  @Override
  public void run(ApplicationArguments args) {
    RegisteredModel bundled =
        models
            .register(
                SegmentationModel.bundledOnnx(),
                SegmentationModel.bundledDescriptor(),
                Actor.system())
            .model();
    log.info(
        "segmentation model {} registered (ONNX sha256 {})", bundled.key(), bundled.onnxSha256());
    if (!properties.auto().enabled()) {
      return;
    }
    ingest.onReceipt(
        (series, route) -> {
          if (lastArrival.put(series, clock.instant()) == null) {
            ingest.markAwaiting(series, true);
          }
        });
    // series received before a restart wait again, from now
    for (String uid : ingest.awaitingSeries()) {
      lastArrival.putIfAbsent(SeriesInstanceUid.of(uid), clock.instant());
    }
    Duration stable = properties.auto().stableAge();
    Duration pause = stable.compareTo(Duration.ofSeconds(5)) < 0 ? stable : Duration.ofSeconds(5);
    watcher =
        Periodic.start(
            "auto-segmentation",
            () -> pause,
            true,
            () -> segmentStableSeries(clock.instant(), series -> true));
    log.info(
        "automatic segmentation on: {} after {} s without new instances",
        properties.auto().rules(),
        stable.toSeconds());
  }

  /**
   * Segments every watched series ({@code which} of them) that has been quiet for the stable age at
   * {@code now}, oldest first; returns the versions proposed.
   */
  List<TwinVersion> segmentStableSeries(
      Instant now, java.util.function.Predicate<SeriesInstanceUid> which) {
    Instant cutoff = now.minus(properties.auto().stableAge());
    List<SeriesInstanceUid> stable =
        lastArrival.entrySet().stream()
            .filter(e -> e.getValue().isBefore(cutoff) && which.test(e.getKey()))
            .sorted(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .toList();
    List<TwinVersion> proposed = new java.util.ArrayList<>();
    for (SeriesInstanceUid series : stable) {
      Instant seen = lastArrival.get(series);
      // more instances since the scan: wait for the series to settle again
      if (seen == null || !seen.isBefore(cutoff) || !lastArrival.remove(series, seen)) {
        continue;
      }
      segment(series).ifPresent(proposed::add);
      if (!lastArrival.containsKey(series)) {
        ingest.markAwaiting(series, false);
      }
    }
    return proposed;
  }

  /** Whether new instances of the series are waiting for it to become stable. */
  boolean watching(SeriesInstanceUid series) {
    return lastArrival.containsKey(series);
  }

  private Optional<TwinVersion> segment(SeriesInstanceUid series) {
    Map<String, Object> stored = ingest.series(series.value()).orElse(Map.of());
    String modality = String.valueOf(stored.getOrDefault("modality", ""));
    String bodyPart = String.valueOf(stored.getOrDefault("bodyPart", ""));
    Optional<SegmentationProperties.Rule> rule =
        properties.auto().rules().stream().filter(r -> r.matches(modality, bodyPart)).findFirst();
    if (rule.isEmpty()) {
      return Optional.empty();
    }
    try {
      RegisteredModel model = models.require(rule.get().model());
      TwinVersion proposed =
          twins.proposeVersion(series, model, models.open(model), modality, bodyPart, ACTOR);
      log.info(
          "series {}: {} proposed version {} ({})",
          series.value(),
          model.key(),
          proposed.number(),
          proposed.id().value());
      return Optional.of(proposed);
    } catch (AnatwinException e) {
      log.warn(
          "series {}: no proposal from {}: {}", series.value(), rule.get().model(), e.getMessage());
      audit.append(
          new AuditEvent(
              clock.instant(),
              ACTOR.userName(),
              ACTOR.role(),
              Twins.PROPOSE_ACTION,
              AuditEvent.Outcome.FAILURE,
              List.of(series.value()),
              e.code() + ": " + e.getMessage()));
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.stop();
    }
  }
}

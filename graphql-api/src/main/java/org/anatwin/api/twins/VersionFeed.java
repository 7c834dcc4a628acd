package org.anatwin.api.twins;

import org.anatwin.versioning.TwinVersion;
import org.anatwin.versioning.Twins;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * New versions as they are stored, for the {@code twinVersions} subscription: every subscriber sees
 * the versions made after it subscribed; a slow subscriber loses versions rather than holding back
 * the build that made them (it can page through {@code Twin.versions} to catch up).
 */
@Component
public class VersionFeed implements Twins.VersionListener {
  private final Sinks.Many<TwinVersion> sink = Sinks.many().multicast().directBestEffort();

  @Override
  public void versionBuilt(TwinVersion version) {
    sink.emitNext(version, Sinks.EmitFailureHandler.busyLooping(java.time.Duration.ofMillis(100)));
  }

  /** The versions of one twin from now on. */
  Flux<TwinVersion> of(String twinId) {
    return sink.asFlux().filter(v -> v.twin().value().equals(twinId));
  }
}

package org.anatwin.app;

import java.net.URI;
import java.time.Clock;
import java.util.Map;
import org.anatwin.audit.AuditLog;
import org.anatwin.audit.Provenance;
import org.anatwin.ingest.DicomDestinations;
import org.anatwin.ingest.DicomListener;
import org.anatwin.ingest.Ingest;
import org.anatwin.printorders.PrintOrders;
import org.anatwin.storage.Storage;
import org.anatwin.versioning.Twins;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The modules' entry points as beans, wired through the ports of twin-model. */
@Configuration(proxyBeanMethods = false)
class CoreConfiguration {
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean(destroyMethod = "close")
  Storage storage(AnatwinProperties properties) {
    AnatwinProperties.Neo4j neo4j = properties.neo4j();
    URI uri = neo4j.uri() == null || neo4j.uri().isBlank() ? null : URI.create(neo4j.uri());
    return Storage.open(
        new Storage.Settings(
            properties.dataHome(), uri, neo4j.user(), neo4j.password(), neo4j.boltPort()));
  }

  @Bean
  AuditLog auditLog(Storage storage) {
    return new AuditLog(storage);
  }

  @Bean
  Provenance provenance(Storage storage) {
    return new Provenance(storage);
  }

  @Bean
  Ingest ingest(Storage storage, AuditLog audit, AnatwinProperties properties, Clock clock) {
    return new Ingest(storage, audit, properties.limits(), clock);
  }

  @Bean(destroyMethod = "close")
  DicomListener dicomListener(Ingest ingest, AnatwinProperties properties) {
    AnatwinProperties.Dicom dicom = properties.dicom();
    return ingest.listen(
        new DicomListener.Settings(
            dicom.aeTitle(), dicom.bind(), dicom.port(), dicom.maxPduLength()));
  }

  @Bean
  DicomDestinations dicomDestinations(AnatwinProperties properties) {
    Map<String, Ingest.RemoteAe> remotes = new java.util.HashMap<>();
    properties
        .dicom()
        .remotes()
        .forEach(
            (name, r) -> remotes.put(name, new Ingest.RemoteAe(r.host(), r.port(), r.aeTitle())));
    return new DicomDestinations(
        remotes, properties.dicom().aeTitle(), properties.dataHome().resolve("spool"));
  }

  @Bean
  Twins twins(
      Storage storage, Ingest ingest, AuditLog audit, Clock clock, Twins.VersionListener events) {
    return new Twins(storage, ingest, audit, clock, events);
  }

  @Bean
  org.anatwin.versioning.TwinPlans twinPlans(
      Twins twins, Storage storage, AuditLog audit, Clock clock, Twins.VersionListener events) {
    return new org.anatwin.versioning.TwinPlans(twins, storage, audit, clock, events);
  }

  @Bean
  PrintOrders printOrders(
      Storage storage, AuditLog audit, Clock clock, AnatwinProperties properties) {
    return new PrintOrders(storage, audit, clock, properties.dataHome().resolve("printers"));
  }
}

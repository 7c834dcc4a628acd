package org.anatwin.ingest;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The remote AEs an operator configured as send destinations, by name, and our calling AE title.
 * Sends go only to these: nobody types a host and port into a request.
 */
public record DicomDestinations(
    Map<String, Ingest.RemoteAe> byName, String callingAeTitle, Path spool) {
  public DicomDestinations {
    byName = Map.copyOf(new TreeMap<>(byName));
  }

  /** The destination with this name, or a refusal naming the configured ones. */
  public Ingest.RemoteAe get(String name) {
    Ingest.RemoteAe remote = byName.get(name);
    if (remote == null) {
      throw new IngestException(
          "ingest:send.unknown-destination",
          "no DICOM destination '"
              + name
              + "' is configured (anatwin.dicom.remotes); configured: "
              + byName.keySet());
    }
    return remote;
  }
}

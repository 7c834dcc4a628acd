package org.anatwin.ingest;

import java.util.List;
import java.util.Set;

/**
 * What a folder import did: instances newly stored, instances already stored with the same dataset
 * (duplicates, nothing written), and files refused with their codes. {@code series} lists the
 * series that received or already held the imported instances.
 */
public record ImportReport(
    int stored, int duplicates, List<Rejection> rejected, Set<String> series) {
  public ImportReport {
    rejected = List.copyOf(rejected);
    series = Set.copyOf(series);
  }

  /** One refused file: its path relative to the imported folder, the code and the reason. */
  public record Rejection(String file, String code, String message) {}
}

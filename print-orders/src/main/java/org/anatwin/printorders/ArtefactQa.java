package org.anatwin.printorders;

import java.time.Instant;

/**
 * The measurement of a printed copy against its design (mm): verdict, tolerance of its intended
 * use, deviation statistics over the scanned surface, the scanned area and the largest patch more
 * than twice the tolerance off (mm²), registration quality, the scan's and colour map's hashes, who
 * measured and when.
 */
public record ArtefactQa(
    String id,
    String artefactId,
    boolean passed,
    String reason,
    double toleranceMm,
    double p95Mm,
    double meanAbsoluteMm,
    double rmsMm,
    double minMm,
    double maxMm,
    double hausdorffMm,
    double registrationRmsMm,
    double overlap,
    int scanVertices,
    double scanAreaMm2,
    double largestDefectMm2,
    String scanSha256,
    String colourMapSha256,
    String note,
    String measuredBy,
    Instant time) {}

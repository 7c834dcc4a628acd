package org.anatwin.printorders;

import java.time.Instant;
import org.anatwin.model.ArtefactId;
import org.jspecify.annotations.Nullable;

/**
 * A printed physical object: its serial number, the job and printer that made it, the material and
 * the material lot it was printed from (null when the technician did not record one).
 */
public record Artefact(
    ArtefactId id,
    String serialNumber,
    String orderId,
    String jobId,
    String printerId,
    int copy,
    Instant printedAt,
    String material,
    @Nullable String materialLot) {}

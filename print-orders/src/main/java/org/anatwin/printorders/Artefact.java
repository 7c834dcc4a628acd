package org.anatwin.printorders;

import java.time.Instant;
import org.anatwin.model.ArtefactId;

/** A printed physical object: its serial number, the job and printer that made it. */
public record Artefact(
    ArtefactId id,
    String serialNumber,
    String orderId,
    String jobId,
    String printerId,
    int copy,
    Instant printedAt) {}

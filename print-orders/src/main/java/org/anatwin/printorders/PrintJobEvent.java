package org.anatwin.printorders;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One thing a printer said about a job: its state (QUEUED, PRINTING, DONE, FAILED, CANCELLED), the
 * whole percent done and the printer's own words; {@code seq} counts from 1 without gaps.
 */
public record PrintJobEvent(
    String jobId,
    String orderId,
    int seq,
    String state,
    double completion,
    @Nullable String detail,
    Instant time) {}

package org.anatwin.printorders.printer;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How a job reaches a printer and how it is doing. Implementations speak the printer's protocol.
 */
public interface PrinterDriver {
  /** One file of a job: a name free of patient data and its bytes. */
  record JobFile(String name, byte[] bytes) {}

  /** Where a job is, as the printer tells it. */
  enum State {
    QUEUED,
    PRINTING,
    DONE,
    FAILED,
    CANCELLED
  }

  /** A job's state, its completion (0-100 %) and what the printer said. */
  record Status(State state, double completion, @Nullable String detail) {}

  /** Hands the job over; returns where it went (a folder, a URL). Throws if the printer refused. */
  String submit(String jobId, List<JobFile> files);

  /** The job's state now; a printer that prints on receipt (a folder) is done at once. */
  default Status status(String jobId, String location) {
    return new Status(State.DONE, 100, null);
  }

  /** Asks the printer to stop the job. */
  default void cancel(String jobId, String location) {}
}

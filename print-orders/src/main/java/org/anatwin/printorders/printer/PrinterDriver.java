package org.anatwin.printorders.printer;

import java.util.List;

/** How a job reaches a printer. Implementations speak the printer's own protocol. */
public interface PrinterDriver {
  /** One file of a job: a name free of patient data and its bytes. */
  record JobFile(String name, byte[] bytes) {}

  /** Hands the job over; returns where it went (a folder, a URL). Throws if the printer refused. */
  String submit(String jobId, List<JobFile> files);
}

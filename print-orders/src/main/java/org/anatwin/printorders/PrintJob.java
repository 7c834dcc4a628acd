package org.anatwin.printorders;

import java.time.Instant;
import java.util.List;
import org.anatwin.model.PrintJobId;
import org.anatwin.model.PrintOrderId;

/** A job sent to a printer for an order, and the artefacts it produced. */
public record PrintJob(
    PrintJobId id,
    PrintOrderId order,
    String printerId,
    String state,
    Instant submittedAt,
    List<Artefact> artefacts) {
  public PrintJob {
    artefacts = List.copyOf(artefacts);
  }
}

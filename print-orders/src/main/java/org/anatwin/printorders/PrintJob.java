package org.anatwin.printorders;

import java.time.Instant;
import java.util.List;
import org.anatwin.model.PrintJobId;
import org.anatwin.model.PrintOrderId;
import org.jspecify.annotations.Nullable;

/** A job sent to a printer for an order, the material lot loaded, and the artefacts it produced. */
public record PrintJob(
    PrintJobId id,
    PrintOrderId order,
    String printerId,
    String state,
    Instant submittedAt,
    @Nullable String materialLot,
    List<Artefact> artefacts) {
  public PrintJob {
    artefacts = List.copyOf(artefacts);
  }
}

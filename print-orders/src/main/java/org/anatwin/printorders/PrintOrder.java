package org.anatwin.printorders;

import java.time.Instant;
import java.util.List;
import org.anatwin.model.PrintOrderId;
import org.jspecify.annotations.Nullable;

/**
 * A print order and its history; {@link #state()} is the fold of {@link #events()}. The clinical
 * note is for the care team (it goes on each copy's label, never to designers); {@code dueBy} is
 * when the parts are needed (e.g. the day before surgery), if said.
 */
public record PrintOrder(
    PrintOrderId id,
    List<String> meshIds,
    IntendedUse intendedUse,
    String material,
    int copies,
    double scale,
    String clinicalNote,
    @Nullable Instant dueBy,
    String createdBy,
    Instant createdAt,
    List<OrderEvent> events) {

  public PrintOrder {
    meshIds = List.copyOf(meshIds);
    events = List.copyOf(events);
  }

  /** Folds the events from the start. */
  public OrderState state() {
    return fold(events);
  }

  static OrderState fold(List<OrderEvent> events) {
    OrderState state = OrderState.SUBMITTED;
    for (OrderEvent event : events) {
      state = event.apply(state);
    }
    return state;
  }

  /** The printer chosen when the order was prepared. */
  public @Nullable String printerId() {
    String printer = null;
    for (OrderEvent e : events) {
      if (e instanceof OrderEvent.Prepared p) {
        printer = p.printerId();
      }
    }
    return printer;
  }

  /**
   * Where a printed copy of this order stands: PRINTED until measured, then QA_PASSED or QA_FAILED,
   * DELIVERED once handed over.
   */
  public String artefactState(String artefactId) {
    String state = "PRINTED";
    for (OrderEvent e : events) {
      if (e instanceof OrderEvent.QaRecorded q && q.artefactId().equals(artefactId)) {
        state = q.passed() ? "QA_PASSED" : "QA_FAILED";
      } else if (e instanceof OrderEvent.Delivered d && d.artefactId().equals(artefactId)) {
        state = "DELIVERED";
      }
    }
    return state;
  }
}

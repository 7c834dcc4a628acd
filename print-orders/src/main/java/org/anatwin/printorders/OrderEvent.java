package org.anatwin.printorders;

import java.time.Instant;

/**
 * One append-only event of a print order. The order's state is the fold of its events; {@link
 * #apply} refuses an event that is illegal in the current state.
 */
public sealed interface OrderEvent {
  /** Who caused the event and when. */
  String actor();

  String role();

  Instant time();

  /** The order was created and submitted for approval. */
  record Submitted(String actor, String role, Instant time) implements OrderEvent {}

  /** An approver signed: approved or rejected, with the signature's meaning and reason. */
  record Decided(
      String actor, String role, Instant time, boolean approved, String meaning, String reason)
      implements OrderEvent {}

  /** The meshes passed the QA gate and a printer was chosen. */
  record Prepared(String actor, String role, Instant time, String printerId)
      implements OrderEvent {}

  /** The job was handed to the printer, which has not started it yet. */
  record Queued(String actor, String role, Instant time, String jobId) implements OrderEvent {}

  /** The printer started the job. */
  record Started(String actor, String role, Instant time, String jobId) implements OrderEvent {}

  /** The printer reported the job failed or cancelled; no artefact was made. */
  record Failed(String actor, String role, Instant time, String jobId, String reason)
      implements OrderEvent {}

  /** The printer reported the job done; artefacts were recorded. */
  record Printed(String actor, String role, Instant time, String jobId) implements OrderEvent {}

  /** A printed copy was measured against its design: passed or failed. */
  record QaRecorded(
      String actor, String role, Instant time, String artefactId, boolean passed, String qaId)
      implements OrderEvent {}

  /** A copy that passed QA was handed to its recipient. */
  record Delivered(String actor, String role, Instant time, String artefactId, String recipient)
      implements OrderEvent {}

  /** The order was withdrawn. */
  record Cancelled(String actor, String role, Instant time, String reason) implements OrderEvent {}

  /** The state after this event, or a refusal if the event is not allowed in {@code state}. */
  default OrderState apply(OrderState state) {
    return switch (this) {
      case Submitted s -> OrderState.SUBMITTED;
      case Decided d ->
          require(
              state,
              OrderState.SUBMITTED,
              d.approved() ? OrderState.APPROVED : OrderState.REJECTED);
      case Prepared p -> require(state, OrderState.APPROVED, OrderState.PREPARED);
      case Queued q -> require(state, OrderState.PREPARED, OrderState.QUEUED);
      case Started st -> require(state, OrderState.QUEUED, OrderState.PRINTING);
      case Printed p -> {
        if (state != OrderState.QUEUED && state != OrderState.PRINTING) {
          throw illegal(state, OrderState.PRINTED);
        }
        yield OrderState.PRINTED;
      }
      case Failed f -> {
        if (state != OrderState.QUEUED && state != OrderState.PRINTING) {
          throw illegal(state, OrderState.FAILED);
        }
        yield OrderState.FAILED;
      }
      case QaRecorded q ->
          switch (state) {
            case PRINTED, QA_PASSED -> q.passed() ? OrderState.QA_PASSED : OrderState.QA_FAILED;
            case QA_FAILED, DELIVERED -> state;
            default ->
                throw illegal(state, q.passed() ? OrderState.QA_PASSED : OrderState.QA_FAILED);
          };
      case Delivered d -> {
        if (state != OrderState.QA_PASSED
            && state != OrderState.QA_FAILED
            && state != OrderState.DELIVERED) {
          throw illegal(state, OrderState.DELIVERED);
        }
        yield OrderState.DELIVERED;
      }
      case Cancelled c -> {
        if (state == OrderState.PRINTED
            || state == OrderState.QA_PASSED
            || state == OrderState.QA_FAILED
            || state == OrderState.DELIVERED
            || state == OrderState.CANCELLED) {
          throw illegal(state, OrderState.CANCELLED);
        }
        yield OrderState.CANCELLED;
      }
    };
  }

  private static OrderState require(OrderState state, OrderState expected, OrderState next) {
    if (state != expected) {
      throw illegal(state, next);
    }
    return next;
  }

  private static PrintOrderException illegal(OrderState from, OrderState to) {
    return new PrintOrderException(
        "print-orders:order.illegal-transition",
        "an order that is " + from + " cannot become " + to);
  }
}

package org.anatwin.printorders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderEventTests {
  private static final Instant T = Instant.parse("2026-11-27T10:00:00Z");
  private static final OrderEvent SUBMITTED = new OrderEvent.Submitted("ann", "planner", T);
  private static final OrderEvent APPROVED =
      new OrderEvent.Decided("rob", "radiologist", T, true, "approved for printing", "ok");
  private static final OrderEvent REJECTED =
      new OrderEvent.Decided("rob", "radiologist", T, false, "rejected", "wrong side");
  private static final OrderEvent PREPARED = new OrderEvent.Prepared("tom", "technician", T, "p1");
  private static final OrderEvent QUEUED = new OrderEvent.Queued("tom", "technician", T, "job");
  private static final OrderEvent STARTED = new OrderEvent.Started("p1", "printer", T, "job");
  private static final OrderEvent PRINTED = new OrderEvent.Printed("p1", "printer", T, "job");
  private static final OrderEvent FAILED =
      new OrderEvent.Failed("p1", "printer", T, "job", "CANCELLED");

  @Test
  void theStateIsTheFoldOfTheEvents() {
    assertThat(PrintOrder.fold(List.of(SUBMITTED))).isEqualTo(OrderState.SUBMITTED);
    assertThat(PrintOrder.fold(List.of(SUBMITTED, APPROVED))).isEqualTo(OrderState.APPROVED);
    assertThat(PrintOrder.fold(List.of(SUBMITTED, REJECTED))).isEqualTo(OrderState.REJECTED);
    assertThat(PrintOrder.fold(List.of(SUBMITTED, APPROVED, PREPARED, QUEUED, PRINTED)))
        .isEqualTo(OrderState.PRINTED);
    assertThat(PrintOrder.fold(List.of(SUBMITTED, APPROVED, PREPARED, QUEUED, STARTED, PRINTED)))
        .isEqualTo(OrderState.PRINTED);
    assertThat(PrintOrder.fold(List.of(SUBMITTED, APPROVED, PREPARED, QUEUED, STARTED, FAILED)))
        .isEqualTo(OrderState.FAILED);
  }

  private static final OrderEvent PASS =
      new OrderEvent.QaRecorded("qa", "quality", T, "a1", true, "q1");
  private static final OrderEvent FAIL =
      new OrderEvent.QaRecorded("qa", "quality", T, "a2", false, "q2");
  private static final OrderEvent DELIVERED =
      new OrderEvent.Delivered("tom", "technician", T, "a1", "Dr. Who, theatre 3");

  @Test
  void copiesAreMeasuredThenDelivered() {
    List<OrderEvent> printed = List.of(SUBMITTED, APPROVED, PREPARED, QUEUED, PRINTED);
    assertThat(PrintOrder.fold(concat(printed, PASS))).isEqualTo(OrderState.QA_PASSED);
    assertThat(PrintOrder.fold(concat(printed, FAIL))).isEqualTo(OrderState.QA_FAILED);
    // one failed copy marks the order, whatever the others do
    assertThat(PrintOrder.fold(concat(printed, FAIL, PASS))).isEqualTo(OrderState.QA_FAILED);
    assertThat(PrintOrder.fold(concat(printed, PASS, FAIL, DELIVERED)))
        .isEqualTo(OrderState.DELIVERED);
    PrintOrder order =
        new PrintOrder(
            org.anatwin.model.PrintOrderId.parse("print-order-0123456789abcdef0123456789abcdef"),
            List.of("m"),
            IntendedUse.PLANNING,
            "PLA",
            2,
            1,
            "",
            null,
            "ann",
            T,
            concat(printed, PASS, FAIL, DELIVERED));
    assertThat(order.artefactState("a1")).isEqualTo("DELIVERED");
    assertThat(order.artefactState("a2")).isEqualTo("QA_FAILED");
    assertThat(order.artefactState("a3")).isEqualTo("PRINTED");
  }

  private static List<OrderEvent> concat(List<OrderEvent> head, OrderEvent... tail) {
    List<OrderEvent> all = new java.util.ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }

  @Test
  void refusesIllegalTransitionsWithACode() {
    for (List<OrderEvent> illegal :
        List.of(
            List.of(SUBMITTED, PREPARED),
            List.of(SUBMITTED, PRINTED),
            List.of(SUBMITTED, APPROVED, PREPARED, PRINTED),
            List.of(SUBMITTED, APPROVED, PREPARED, STARTED),
            List.of(SUBMITTED, APPROVED, PREPARED, QUEUED, STARTED, FAILED, PRINTED),
            List.of(SUBMITTED, REJECTED, PREPARED),
            List.of(SUBMITTED, APPROVED, APPROVED),
            List.of(SUBMITTED, APPROVED, PREPARED, QUEUED, PASS),
            List.of(SUBMITTED, APPROVED, PREPARED, QUEUED, PRINTED, DELIVERED),
            List.of(SUBMITTED, APPROVED, PREPARED, QUEUED, STARTED, FAILED, PASS),
            List.of(
                SUBMITTED,
                APPROVED,
                PREPARED,
                QUEUED,
                PRINTED,
                PASS,
                new OrderEvent.Cancelled("ann", "planner", T, "late")),
            List.of(
                SUBMITTED,
                APPROVED,
                PREPARED,
                QUEUED,
                PRINTED,
                new OrderEvent.Cancelled("ann", "planner", T, "late")))) {
      assertThatThrownBy(() -> PrintOrder.fold(illegal))
          .isInstanceOfSatisfying(
              PrintOrderException.class,
              e -> assertThat(e.code()).isEqualTo("print-orders:order.illegal-transition"));
    }
  }

  @Test
  void aSignatureNeedsItsMeaning() {
    assertThatThrownBy(() -> new Decision(true, " ", "ok"))
        .isInstanceOfSatisfying(
            PrintOrderException.class,
            e -> assertThat(e.code()).isEqualTo("print-orders:approval.no-meaning"));
  }
}

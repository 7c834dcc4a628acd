package org.anatwin.api.print;

import org.anatwin.printorders.PrintJobEvent;
import org.anatwin.printorders.PrintOrders;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Job events as they are recorded, for the {@code printJobEvents} subscription; a subscriber that
 * falls behind loses pushes, never records ({@code PrintJob.events} has them all, in order).
 */
@Component
class JobFeed {
  private final Sinks.Many<PrintJobEvent> sink = Sinks.many().multicast().directBestEffort();

  JobFeed(PrintOrders orders) {
    orders.listen(
        e ->
            sink.emitNext(
                e, Sinks.EmitFailureHandler.busyLooping(java.time.Duration.ofMillis(100))));
  }

  Flux<PrintJobEvent> of(String orderId) {
    return sink.asFlux().filter(e -> e.orderId().equals(orderId));
  }
}

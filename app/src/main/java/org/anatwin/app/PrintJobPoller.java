package org.anatwin.app;

import org.anatwin.printorders.PrintOrders;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Asks the printers about open jobs every {@code anatwin.printing.poll-interval}, starting as soon
 * as the service is up, so a restart resumes every job left queued or printing.
 */
@Component
class PrintJobPoller {
  private final PrintOrders orders;
  private final PrintingProperties properties;
  private volatile Periodic poller;

  PrintJobPoller(PrintOrders orders, PrintingProperties properties) {
    this.orders = orders;
    this.properties = properties;
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    poller = Periodic.start("print-job-poller", properties::pollInterval, false, orders::poll);
  }

  @EventListener(ContextClosedEvent.class)
  void stop() {
    Periodic p = poller;
    if (p != null) {
      p.stop();
    }
  }
}

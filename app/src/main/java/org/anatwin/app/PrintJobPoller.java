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
  private volatile Thread thread;

  PrintJobPoller(PrintOrders orders, PrintingProperties properties) {
    this.orders = orders;
    this.properties = properties;
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    thread =
        Thread.ofVirtual()
            .name("print-job-poller")
            .start(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    try {
                      orders.poll();
                      Thread.sleep(properties.pollInterval());
                    } catch (InterruptedException e) {
                      return;
                    } catch (RuntimeException e) {
                      // a graph hiccup: the next round asks again
                    }
                  }
                });
  }

  @EventListener(ContextClosedEvent.class)
  void stop() {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }
}

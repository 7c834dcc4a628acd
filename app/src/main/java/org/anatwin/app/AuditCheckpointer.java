package org.anatwin.app;

import java.time.Duration;
import org.anatwin.audit.AuditLog;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Signs a checkpoint of the audit log every {@code anatwin.audit.checkpoint-interval} (one minute
 * by default) while it grows, and once more when the service stops.
 */
@Component
class AuditCheckpointer {
  private final AuditLog audit;
  private final Duration interval;
  private volatile Periodic checkpointer;

  AuditCheckpointer(
      AuditLog audit, @Value("${anatwin.audit.checkpoint-interval:PT1M}") Duration interval) {
    this.audit = audit;
    this.interval = interval;
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    checkpointer = Periodic.start("audit-checkpoints", () -> interval, true, audit::checkpoint);
  }

  @EventListener(ContextClosedEvent.class)
  void stop() {
    Periodic p = checkpointer;
    if (p != null) {
      p.stop();
    }
    try {
      audit.checkpoint();
    } catch (RuntimeException e) {
      // the graph may be closing already; the last scheduled checkpoint stands
    }
  }
}

package org.anatwin.app;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.anatwin.audit.AuditLog;
import org.anatwin.audit.SyslogForwarder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Forwards the audit log to a syslog collector (an ATNA audit record repository) when {@code
 * anatwin.audit.syslog.host} is set: every {@code anatwin.audit.syslog.interval} (5 s) the events
 * committed since the last forward are sent over {@code anatwin.audit.syslog.transport} (TCP or
 * UDP) to {@code anatwin.audit.syslog.port} (514); where it stopped is kept under the data folder.
 */
@Component
@ConditionalOnProperty("anatwin.audit.syslog.host")
class AuditForwarding {
  private final SyslogForwarder forwarder;
  private final Duration interval;
  private volatile Periodic periodic;

  AuditForwarding(
      AuditLog audit,
      AnatwinProperties properties,
      @Value("${anatwin.audit.syslog.host}") String host,
      @Value("${anatwin.audit.syslog.port:514}") int port,
      @Value("${anatwin.audit.syslog.transport:TCP}") SyslogForwarder.Transport transport,
      @Value("${anatwin.audit.syslog.interval:PT5S}") Duration interval) {
    String hostname = localHostName();
    this.forwarder =
        new SyslogForwarder(
            audit,
            new InetSocketAddress(host, port),
            transport,
            "anatwin@" + hostname,
            hostname,
            properties.dataHome().resolve("audit").resolve("syslog.offset"));
    this.interval = interval;
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "anatwin";
    }
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    periodic = Periodic.start("audit-syslog", () -> interval, false, forwarder::forward);
  }

  @EventListener(ContextClosedEvent.class)
  void stop() {
    Periodic p = periodic;
    if (p != null) {
      p.stop();
    }
  }
}

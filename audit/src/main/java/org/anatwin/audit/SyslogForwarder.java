package org.anatwin.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.List;

/**
 * Forwards the audit log to a syslog collector (an IHE ATNA audit record repository): every
 * committed event, in sequence order, as an RFC 5424 message whose body is the DICOM audit message
 * ({@link AtnaMessages}), over TCP with octet-counting framing (RFC 6587) or over UDP (RFC 5426).
 * The log is tailed rather than hooked into appends, so an event of a transaction that rolls back
 * is never sent; the last sequence sent is kept in a file, so a restart resumes where it stopped
 * and an unreachable collector loses nothing (delivery is at least once).
 */
public final class SyslogForwarder {
  /** facility 10 (security/authorization, private), severity 5 (notice) */
  private static final int PRIORITY = 10 * 8 + 5;

  private static final int BATCH = 500;

  /** How messages travel. */
  public enum Transport {
    TCP,
    UDP
  }

  private final AuditLog log;
  private final InetSocketAddress collector;
  private final Transport transport;
  private final String source;
  private final String hostname;
  private final Path offset;

  /**
   * @param source the Audit Source ID in each message
   * @param offset the file that keeps the last sequence number sent
   */
  public SyslogForwarder(
      AuditLog log,
      InetSocketAddress collector,
      Transport transport,
      String source,
      String hostname,
      Path offset) {
    this.log = log;
    this.collector = collector;
    this.transport = transport;
    this.source = source;
    this.hostname = hostname.isBlank() ? "-" : hostname;
    this.offset = offset;
  }

  /**
   * Sends every committed event after the last one sent and returns how many it sent; throws {@link
   * UncheckedIOException} when the collector cannot be reached (nothing is marked sent then, so the
   * next call tries again).
   */
  public synchronized int forward() {
    long sent = lastSent();
    int count = 0;
    for (List<StoredAuditEvent> batch = log.after(sent, BATCH);
        !batch.isEmpty();
        batch = log.after(sent, BATCH)) {
      try {
        send(batch);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "the syslog collector at " + collector + " cannot be reached", e);
      }
      sent = batch.getLast().sequence();
      count += batch.size();
      remember(sent);
    }
    return count;
  }

  /** The last sequence number sent (0 when none was). */
  public long lastSent() {
    try {
      return Files.exists(offset) ? Long.parseLong(Files.readString(offset).strip()) : 0;
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("the syslog offset " + offset + " is unreadable", e);
    }
  }

  private void send(List<StoredAuditEvent> batch) throws IOException {
    if (transport == Transport.UDP) {
      try (DatagramSocket socket = new DatagramSocket()) {
        for (StoredAuditEvent e : batch) {
          byte[] message = message(e);
          socket.send(new DatagramPacket(message, message.length, collector));
        }
      }
      return;
    }
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.connect(collector, 5000);
      OutputStream out = socket.getOutputStream();
      for (StoredAuditEvent e : batch) {
        byte[] message = message(e);
        out.write((message.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.write(message);
      }
      out.flush();
    }
  }

  /** One event as an RFC 5424 message: header, the sequence as structured data, BOM, XML. */
  byte[] message(StoredAuditEvent e) {
    String leaf =
        e.leafHash() != null
            ? e.leafHash()
            : HexFormat.of().formatHex(AuditLog.leaf(e.sequence(), e.event()));
    String header =
        "<"
            + PRIORITY
            + ">1 "
            + e.event().time()
            + " "
            + hostname
            + " anatwin "
            + ProcessHandle.current().pid()
            + " IHE+RFC-3881 [meta sequenceId=\""
            + Math.min(e.sequence(), Integer.MAX_VALUE)
            + "\"] \uFEFF";
    return (header + AtnaMessages.message(e.sequence(), leaf, e.event(), source))
        .getBytes(StandardCharsets.UTF_8);
  }

  private void remember(long sequence) {
    try {
      Files.createDirectories(offset.toAbsolutePath().getParent());
      Path temp = offset.resolveSibling(offset.getFileName() + ".tmp");
      Files.writeString(temp, Long.toString(sequence));
      Files.move(temp, offset, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

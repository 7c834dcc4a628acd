package org.anatwin.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.anatwin.model.AuditEvent;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log forwarded to syslog collectors started in the test on 127.0.0.1: TCP with octet
 * counting and UDP datagrams, RFC 5424 headers, ATNA bodies, in order, each event once, nothing
 * lost while the collector is away.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyslogForwarderIT {
  private static final Pattern HEADER =
      Pattern.compile(
          "<85>1 (\\S+) test-host anatwin \\d+ IHE\\+RFC-3881 \\[meta sequenceId=\"(\\d+)\"\\] \uFEFF(<\\?xml.*</AuditMessage>)",
          Pattern.DOTALL);

  @TempDir static Path work;
  Storage storage;
  AuditLog log;

  @BeforeAll
  void open() {
    storage = Storage.open(Storage.Settings.embedded(work.resolve("home")));
    log =
        new AuditLog(
            storage,
            new FileCheckpoints(work.resolve("checkpoints")),
            Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC));
  }

  @AfterAll
  void close() {
    storage.close();
  }

  private SyslogForwarder tcp(InetSocketAddress collector, Path offset) {
    return new SyslogForwarder(
        log, collector, SyslogForwarder.Transport.TCP, "anatwin@test", "test-host", offset);
  }

  private void append(int n, String action) {
    for (int i = 0; i < n; i++) {
      log.append(
          new AuditEvent(
              Instant.parse("2026-11-28T12:00:00Z").plusSeconds(i),
              "demo-planner",
              "planner",
              action,
              AuditEvent.Outcome.SUCCESS,
              List.of("twin-version-" + i),
              "n=" + i));
    }
  }

  /** A TCP collector that reads octet-counted frames until its client closes, forever. */
  static final class Collector implements AutoCloseable {
    final ServerSocket server;
    final List<String> frames = new CopyOnWriteArrayList<>();

    Collector() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread.ofVirtual()
          .start(
              () -> {
                while (!server.isClosed()) {
                  try (Socket client = server.accept()) {
                    DataInputStream in = new DataInputStream(client.getInputStream());
                    for (String frame; (frame = frame(in)) != null; ) {
                      frames.add(frame);
                    }
                  } catch (IOException e) {
                    return;
                  }
                }
              });
    }

    static String frame(InputStream in) throws IOException {
      StringBuilder length = new StringBuilder();
      for (int c; (c = in.read()) != ' '; ) {
        if (c < 0) {
          return null;
        }
        length.append((char) c);
      }
      byte[] message = new byte[Integer.parseInt(length.toString())];
      try {
        new DataInputStream(in).readFully(message);
      } catch (EOFException e) {
        throw new IOException("a frame was cut short", e);
      }
      return new String(message, StandardCharsets.UTF_8);
    }

    InetSocketAddress address() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private static List<Long> sequences(List<String> frames) {
    List<Long> out = new ArrayList<>();
    for (String frame : frames) {
      Matcher m = HEADER.matcher(frame);
      assertThat(m.matches()).as(frame).isTrue();
      assertThat(m.group(3)).contains("<AuditMessage>").contains("audit-event:" + m.group(2));
      out.add(Long.parseLong(m.group(2)));
    }
    return out;
  }

  private static void await(List<String> frames, int count) throws InterruptedException {
    for (int i = 0; i < 100 && frames.size() < count; i++) {
      Thread.sleep(50);
    }
  }

  @Test
  void tcpForwardingSendsEachCommittedEventOnceInOrderAndResumesAfterAnOutage() throws Exception {
    long before = log.head().size();
    append(5, "twin.build-version");
    Path offset = work.resolve("tcp.offset");
    try (Collector collector = new Collector()) {
      SyslogForwarder forwarder = tcp(collector.address(), offset);
      assertThat(forwarder.forward()).isEqualTo(before + 5);
      await(collector.frames, (int) before + 5);
      assertThat(sequences(collector.frames))
          .containsExactlyElementsOf(
              java.util.stream.LongStream.rangeClosed(1, before + 5).boxed().toList());
      assertThat(forwarder.forward()).isZero();
      append(2, "twin.tag-version");
      // a restarted service resumes from the recorded offset
      SyslogForwarder restarted = tcp(collector.address(), offset);
      assertThat(restarted.forward()).isEqualTo(2);
      await(collector.frames, (int) before + 7);
      assertThat(sequences(collector.frames.subList((int) before + 5, collector.frames.size())))
          .containsExactly(before + 6, before + 7);
    }
    // the collector is gone: nothing is marked sent, and the next collector gets the events
    append(3, "twin.annotate");
    SyslogForwarder forwarder;
    InetSocketAddress gone;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      gone = new InetSocketAddress(InetAddress.getLoopbackAddress(), closed.getLocalPort());
    }
    forwarder = tcp(gone, offset);
    long sent = forwarder.lastSent();
    assertThatThrownBy(forwarder::forward).isInstanceOf(UncheckedIOException.class);
    assertThat(forwarder.lastSent()).isEqualTo(sent);
    try (Collector collector = new Collector()) {
      SyslogForwarder back = tcp(collector.address(), offset);
      assertThat(back.forward()).isEqualTo(3);
      await(collector.frames, 3);
      assertThat(sequences(collector.frames)).containsExactly(sent + 1, sent + 2, sent + 3);
    }
  }

  @Test
  void udpForwardingSendsOneDatagramPerEvent() throws Exception {
    append(3, "print-order.create");
    try (DatagramSocket collector = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      collector.setSoTimeout(5000);
      SyslogForwarder forwarder =
          new SyslogForwarder(
              log,
              new InetSocketAddress(InetAddress.getLoopbackAddress(), collector.getLocalPort()),
              SyslogForwarder.Transport.UDP,
              "anatwin@test",
              "test-host",
              work.resolve("udp.offset"));
      long events = log.head().size();
      assertThat(forwarder.forward()).isEqualTo(events);
      List<String> frames = new ArrayList<>();
      byte[] buffer = new byte[65536];
      for (int i = 0; i < events; i++) {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        collector.receive(packet);
        frames.add(new String(buffer, 0, packet.getLength(), StandardCharsets.UTF_8));
      }
      assertThat(sequences(frames)).hasSize((int) events).doesNotHaveDuplicates();
    }
  }
}

package org.anatwin.ingest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Holds every upper-layer PDU a peer sends to a length limit before PixelMed reads it: PixelMed
 * allocates a buffer of whatever length a PDU header claims, so a hostile header of 4 GiB would
 * become one allocation. P-DATA-TF PDUs may be as long as the maximum length we announced in the
 * association (PS3.8 D.1); association, release and abort PDUs at most {@link #MAX_CONTROL_PDU}. A
 * PDU over its limit is answered with an A-ABORT (service provider, invalid PDU parameter value,
 * PS3.8 9.3.8) and the connection is closed without reading it.
 */
final class PduGuard {
  /** Enough for an association request proposing every presentation context there is. */
  static final int MAX_CONTROL_PDU = 256 * 1024;

  private static final int P_DATA_TF = 0x04;

  private PduGuard() {}

  /** A server socket whose accepted sockets guard what they read. */
  static ServerSocket serverSocket(int maxPduLength) throws IOException {
    return new ServerSocket() {
      @Override
      public Socket accept() throws IOException {
        Socket socket = new GuardedSocket(maxPduLength);
        implAccept(socket);
        return socket;
      }
    };
  }

  /** Thrown when a peer's PDU is longer than allowed; the connection has been aborted. */
  static final class PduTooLongException extends IOException {
    PduTooLongException(String message) {
      super(message);
    }
  }

  /** {@code in} as PixelMed should read it: PDUs over their limit are aborted on {@code out}. */
  static InputStream guard(InputStream in, OutputStream out, int maxPduLength) {
    return new GuardedStream(in, out, maxPduLength);
  }

  private static final class GuardedSocket extends Socket {
    private final int maxPduLength;
    private InputStream in;

    GuardedSocket(int maxPduLength) {
      this.maxPduLength = maxPduLength;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
      if (in == null) {
        in = guard(super.getInputStream(), super.getOutputStream(), maxPduLength);
      }
      return in;
    }
  }

  /** Follows PDU boundaries: a 6-byte header (type, reserved, 32-bit length), then the body. */
  private static final class GuardedStream extends FilterInputStream {
    private final OutputStream out;
    private final int maxPduLength;
    private final byte[] header = new byte[6];
    private int headerRead;
    private long bodyLeft;

    GuardedStream(InputStream in, OutputStream out, int maxPduLength) {
      super(in);
      this.out = out;
      this.maxPduLength = maxPduLength;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (bodyLeft > 0) {
        int n = in.read(b, off, (int) Math.min(len, bodyLeft));
        if (n > 0) {
          bodyLeft -= n;
        }
        return n;
      }
      int n = in.read(b, off, Math.min(len, header.length - headerRead));
      if (n <= 0) {
        return n;
      }
      System.arraycopy(b, off, header, headerRead, n);
      headerRead += n;
      if (headerRead == header.length) {
        headerRead = 0;
        int type = header[0] & 0xFF;
        long length =
            (header[2] & 0xFFL) << 24
                | (header[3] & 0xFFL) << 16
                | (header[4] & 0xFFL) << 8
                | (header[5] & 0xFFL);
        long limit = type == P_DATA_TF ? maxPduLength : MAX_CONTROL_PDU;
        if (length > limit) {
          abort();
          throw new PduTooLongException(
              String.format(
                  "a PDU of type 0x%02X claims %d bytes, over the limit of %d",
                  type, length, limit));
        }
        bodyLeft = length;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      throw new IOException("skipping is not supported on a guarded DICOM connection");
    }

    /** A-ABORT: source 2 (service provider), reason 6 (invalid PDU parameter value). */
    private void abort() {
      try {
        out.write(new byte[] {0x07, 0, 0, 0, 0, 4, 0, 0, 2, 6});
        out.flush();
      } catch (IOException e) {
        // the peer may be gone already; the connection is closed either way
      }
    }
  }
}

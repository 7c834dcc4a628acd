package org.anatwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class PduGuardTests {
  private static final int MAX = 16384;

  private static byte[] pdu(int type, long length, int bodyBytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(type);
    out.write(0);
    out.write((int) (length >> 24));
    out.write((int) (length >> 16));
    out.write((int) (length >> 8));
    out.write((int) length);
    out.writeBytes(new byte[bodyBytes]);
    return out.toByteArray();
  }

  /** Reads everything in pieces of {@code chunk} bytes, as PixelMed reads headers and bodies. */
  private static int readAll(InputStream in, int chunk) throws Exception {
    byte[] buffer = new byte[chunk];
    int total = 0;
    int n;
    while ((n = in.read(buffer, 0, chunk)) > 0) {
      total += n;
    }
    return total;
  }

  @Test
  void pDataPdusUpToTheAnnouncedLengthPassWhole() throws Exception {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    stream.writeBytes(pdu(0x04, MAX, MAX));
    stream.writeBytes(pdu(0x04, 10, 10));
    stream.writeBytes(pdu(0x05, 4, 4));
    ByteArrayOutputStream answers = new ByteArrayOutputStream();
    for (int chunk : new int[] {1, 5, 6, 7, 4096, 100_000}) {
      InputStream in = PduGuard.guard(new ByteArrayInputStream(stream.toByteArray()), answers, MAX);
      assertThat(readAll(in, chunk)).as("chunk " + chunk).isEqualTo(stream.size());
    }
    assertThat(answers.size()).as("nothing aborted").isZero();
  }

  @Test
  void aPDataPduOneByteOverIsAbortedBeforeItsBodyIsRead() throws Exception {
    ByteArrayOutputStream answers = new ByteArrayOutputStream();
    byte[] first = pdu(0x04, 100, 100);
    byte[] over = pdu(0x04, MAX + 1, 50);
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    stream.writeBytes(first);
    stream.writeBytes(over);
    ByteArrayInputStream source = new ByteArrayInputStream(stream.toByteArray());
    InputStream in = PduGuard.guard(source, answers, MAX);
    byte[] buffer = new byte[4096];
    assertThat(in.read(buffer, 0, 6)).isEqualTo(6);
    assertThat(in.read(buffer, 0, 4096)).as("the first body, not beyond").isEqualTo(100);
    assertThatThrownBy(() -> in.readNBytes(buffer, 0, 6))
        .isInstanceOf(PduGuard.PduTooLongException.class)
        .hasMessageContaining("16385");
    assertThat(source.available()).as("the body is never read").isEqualTo(50);
    assertThat(answers.toByteArray())
        .as("A-ABORT, service provider, invalid PDU parameter value")
        .containsExactly(0x07, 0, 0, 0, 0, 4, 0, 0, 2, 6);
  }

  @Test
  void anAssociationRequestClaimingFourGibibytesIsAborted() {
    ByteArrayOutputStream answers = new ByteArrayOutputStream();
    InputStream in =
        PduGuard.guard(new ByteArrayInputStream(pdu(0x01, 0xFFFFFFF0L, 16)), answers, MAX);
    assertThatThrownBy(() -> in.readNBytes(6)).isInstanceOf(PduGuard.PduTooLongException.class);
    assertThat(answers.toByteArray()).startsWith(0x07);
  }
}

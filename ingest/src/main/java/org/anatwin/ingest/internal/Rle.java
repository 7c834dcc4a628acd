package org.anatwin.ingest.internal;

import org.anatwin.ingest.IngestException;

/**
 * Decodes one frame of DICOM RLE Lossless (PS3.5 Annex G) with 16-bit greyscale samples: a 64-byte
 * header of segment offsets, then two PackBits segments, the most significant bytes first.
 */
final class Rle {
  private Rle() {}

  static short[] decode16(byte[] frame, int rows, int columns) {
    if (frame.length < 64) {
      throw refuse("the frame is shorter than its 64-byte header");
    }
    int segments = u32(frame, 0);
    if (segments != 2) {
      throw refuse(segments + " segments where 16-bit greyscale has 2");
    }
    int plane = rows * columns;
    byte[] high = segment(frame, u32(frame, 4), u32(frame, 8), plane);
    byte[] low = segment(frame, u32(frame, 8), frame.length, plane);
    short[] samples = new short[plane];
    for (int i = 0; i < plane; i++) {
      samples[i] = (short) ((high[i] & 0xFF) << 8 | (low[i] & 0xFF));
    }
    return samples;
  }

  /** One PackBits segment (G.3.1) from {@code start} to {@code end}, exactly {@code size} bytes. */
  private static byte[] segment(byte[] frame, int start, int end, int size) {
    if (start < 64 || end > frame.length || start > end) {
      throw refuse("a segment offset outside the frame");
    }
    byte[] out = new byte[size];
    int n = 0;
    int at = start;
    while (n < size && at < end) {
      int header = frame[at++];
      if (header >= 0) {
        int count = header + 1;
        if (at + count > end || n + count > size) {
          throw refuse("a literal run past the end of its segment or of the image");
        }
        System.arraycopy(frame, at, out, n, count);
        at += count;
        n += count;
      } else if (header != -128) {
        int count = 1 - header;
        if (at >= end || n + count > size) {
          throw refuse("a replicate run past the end of its segment or of the image");
        }
        java.util.Arrays.fill(out, n, n + count, frame[at++]);
        n += count;
      }
    }
    if (n != size) {
      throw refuse("a segment decodes to " + n + " bytes where the image has " + size);
    }
    return out;
  }

  private static int u32(byte[] b, int at) {
    return (b[at] & 0xFF)
        | (b[at + 1] & 0xFF) << 8
        | (b[at + 2] & 0xFF) << 16
        | (b[at + 3] & 0xFF) << 24;
  }

  private static IngestException refuse(String message) {
    return new IngestException("ingest:series.pixel-decode", "RLE: " + message);
  }
}

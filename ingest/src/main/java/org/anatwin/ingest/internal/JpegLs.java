package org.anatwin.ingest.internal;

import org.anatwin.ingest.IngestException;

/**
 * Decodes one frame of lossless JPEG-LS (ITU-T T.87, one component, 2 to 16 bits; DICOM transfer
 * syntax 1.2.840.10008.1.2.4.80) into its samples: the LOCO-I context model (gradients quantized
 * into 365 contexts, median edge prediction with bias correction, adaptive Golomb codes) and run
 * mode, as T.87 Annex A describes the decoder. Near-lossless scans (NEAR above 0) are lossy and
 * refused, as is the near-lossless transfer syntax itself; preset parameters (LSE, id 1) are read,
 * mapping tables and colour transforms are not supported (single-component frames have none).
 */
final class JpegLs {
  private static final int[] J = {
    0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13,
    14, 15
  };
  private static final int RUN_CONTEXTS = 365;

  private final byte[] data;
  private int at;
  private int precision;
  private int lines;
  private int columns;
  private int maxValue;
  private int t1;
  private int t2;
  private int t3;
  private int reset = 64;
  private int restartInterval;

  // context variables: 365 regular contexts, then the two run interruption contexts
  private final int[] a = new int[RUN_CONTEXTS + 2];
  private final int[] b = new int[RUN_CONTEXTS + 2];
  private final int[] c = new int[RUN_CONTEXTS];
  private final int[] n = new int[RUN_CONTEXTS + 2];
  private final int[] nn = new int[2];
  private int runIndex;
  private int range;
  private int qbpp;
  private int limit;

  // entropy-coded bit reader (T.87 bit stuffing: after 0xFF, a byte carries 7 bits)
  private long bits;
  private int bitCount;
  private boolean afterFf;

  private JpegLs(byte[] data) {
    this.data = data;
  }

  /** The frame's samples, row by row; {@code rows} and {@code columns} must match the frame's. */
  static short[] decode(byte[] frame, int rows, int columns) {
    try {
      return new JpegLs(frame).run(rows, columns);
    } catch (ArrayIndexOutOfBoundsException e) {
      throw refuse("the JPEG-LS data ends before the frame's last sample");
    }
  }

  private short[] run(int rows, int expectedColumns) {
    if (u8() != 0xFF || u8() != 0xD8) {
      throw refuse("no JPEG start-of-image marker");
    }
    boolean frame = false;
    while (true) {
      int marker = nextMarker();
      switch (marker) {
        case 0xF7 -> {
          int length = u16();
          precision = u8();
          lines = u16();
          columns = u16();
          int components = u8();
          if (components != 1) {
            throw refuse("a JPEG-LS frame with " + components + " components");
          }
          if (precision < 2 || precision > 16) {
            throw refuse("a sample precision of " + precision + " bits");
          }
          at += length - 8;
          frame = true;
        }
        case 0xF8 -> presetParameters();
        case 0xDD -> {
          at += 2;
          restartInterval = u16();
        }
        case 0xDA -> {
          if (!frame) {
            throw refuse("a scan before the frame header");
          }
          if (lines != rows || columns != expectedColumns) {
            throw refuse(
                "a frame of "
                    + columns
                    + "x"
                    + lines
                    + " samples where the data set says "
                    + expectedColumns
                    + "x"
                    + rows);
          }
          int length = u16();
          int components = u8();
          if (components != 1) {
            throw refuse("a scan with " + components + " components");
          }
          at++; // component selector
          if (u8() != 0) {
            throw refuse("a scan with a mapping table");
          }
          int near = u8();
          at++; // interleave mode: none for one component
          int pointTransform = u8() & 0x0F;
          at += length - 8;
          if (near != 0) {
            throw refuse("a near-lossless scan (NEAR " + near + "), which is not lossless");
          }
          if (pointTransform != 0) {
            throw refuse("a point transform of " + pointTransform + " bits");
          }
          return scan();
        }
        case 0xD9 -> throw refuse("no scan before the end-of-image marker");
        case 0xC3, 0xC0, 0xC1, 0xC2 ->
            throw refuse(String.format("not a JPEG-LS frame (SOF marker 0xFF%02X)", marker));
        default -> at += u16() - 2; // APPn, COM and other segments carry nothing we need
      }
    }
  }

  /** LSE with id 1: MAXVAL, T1, T2, T3 and RESET (a zero keeps the default). */
  private void presetParameters() {
    int length = u16();
    int id = u8();
    if (id != 1) {
      throw refuse("JPEG-LS preset parameters of type " + id + " (mapping tables)");
    }
    maxValue = u16();
    t1 = u16();
    t2 = u16();
    t3 = u16();
    int r = u16();
    if (r != 0) {
      reset = r;
    }
    at += length - 13;
  }

  private short[] scan() {
    int max = maxValue != 0 ? maxValue : (1 << precision) - 1;
    maxValue = max;
    defaultThresholds();
    range = max + 1;
    qbpp = bitsFor(range);
    int bpp = Math.max(2, bitsFor(max + 1));
    limit = 2 * (bpp + Math.max(8, bpp));
    int initialA = Math.max(2, (range + 32) / 64);
    short[] out = new short[lines * columns];
    int[] previous = new int[columns + 2];
    int[] current = new int[columns + 2];
    int intervalLeft = restartInterval;
    startContexts(initialA);
    for (int y = 0; y < lines; y++) {
      if (restartInterval > 0 && intervalLeft == 0) {
        restart();
        startContexts(initialA);
        java.util.Arrays.fill(previous, 0);
        intervalLeft = restartInterval;
      }
      // the neighbours outside the image: Ra of the first sample is the one above it, Rc the
      // previous line's Ra, Rd of the last sample the one above it
      current[0] = previous[1];
      previous[columns + 1] = previous[columns];
      line(previous, current);
      for (int x = 0; x < columns; x++) {
        out[y * columns + x] = (short) current[x + 1];
      }
      int[] swap = previous;
      previous = current;
      current = swap;
      intervalLeft--;
    }
    return out;
  }

  private void startContexts(int initialA) {
    java.util.Arrays.fill(a, initialA);
    java.util.Arrays.fill(b, 0);
    java.util.Arrays.fill(c, 0);
    java.util.Arrays.fill(n, 1);
    java.util.Arrays.fill(nn, 0);
    runIndex = 0;
  }

  /** Default T1, T2, T3 (T.87 C.2.4.1.1.1, NEAR 0) for whichever the preset left at zero. */
  private void defaultThresholds() {
    int d1;
    int d2;
    int d3;
    if (maxValue >= 128) {
      int factor = (Math.min(maxValue, 4095) + 128) / 256;
      d1 = clamp(factor * (3 - 2) + 2, 1);
      d2 = clamp(factor * (7 - 3) + 3, d1);
      d3 = clamp(factor * (21 - 4) + 4, d2);
    } else {
      int factor = 256 / (maxValue + 1);
      d1 = clamp(Math.max(2, 3 / factor), 1);
      d2 = clamp(Math.max(3, 7 / factor), d1);
      d3 = clamp(Math.max(4, 21 / factor), d2);
    }
    t1 = t1 == 0 ? d1 : t1;
    t2 = t2 == 0 ? d2 : t2;
    t3 = t3 == 0 ? d3 : t3;
  }

  private int clamp(int value, int low) {
    return value > maxValue || value < low ? low : value;
  }

  private static int bitsFor(int value) {
    int bitsNeeded = 0;
    while ((1 << bitsNeeded) < value) {
      bitsNeeded++;
    }
    return bitsNeeded;
  }

  /** One line; {@code previous} and {@code current} hold samples at 1..columns. */
  private void line(int[] previous, int[] current) {
    int x = 1;
    while (x <= columns) {
      int ra = current[x - 1];
      int rb = previous[x];
      int rc = previous[x - 1];
      int rd = previous[x + 1];
      int q1 = quantize(rd - rb);
      int q2 = quantize(rb - rc);
      int q3 = quantize(rc - ra);
      if (q1 == 0 && q2 == 0 && q3 == 0) {
        x = runMode(previous, current, x, ra);
        continue;
      }
      int sign = 1;
      if (q1 < 0 || (q1 == 0 && (q2 < 0 || (q2 == 0 && q3 < 0)))) {
        sign = -1;
        q1 = -q1;
        q2 = -q2;
        q3 = -q3;
      }
      int q = (q1 * 9 + q2) * 9 + q3;
      int predicted = predict(ra, rb, rc) + sign * c[q];
      predicted = Math.clamp(predicted, 0, maxValue);
      int k = golombParameter(n[q], a[q]);
      int mapped = golomb(k, limit);
      int error = (mapped >>> 1) ^ -(mapped & 1);
      if (k == 0 && 2 * b[q] + n[q] - 1 < 0) {
        error = ~error;
      }
      update(q, error);
      current[x] = reconstruct(predicted + sign * error);
      x++;
    }
  }

  private int quantize(int d) {
    if (d <= -t3) {
      return -4;
    }
    if (d <= -t2) {
      return -3;
    }
    if (d <= -t1) {
      return -2;
    }
    if (d < 0) {
      return -1;
    }
    if (d == 0) {
      return 0;
    }
    if (d < t1) {
      return 1;
    }
    if (d < t2) {
      return 2;
    }
    if (d < t3) {
      return 3;
    }
    return 4;
  }

  private static int predict(int ra, int rb, int rc) {
    if (rc >= Math.max(ra, rb)) {
      return Math.min(ra, rb);
    }
    if (rc <= Math.min(ra, rb)) {
      return Math.max(ra, rb);
    }
    return ra + rb - rc;
  }

  private static int golombParameter(int count, int accumulated) {
    int k = 0;
    while ((count << k) < accumulated) {
      k++;
    }
    return k;
  }

  /** The sample in range: modulo RANGE back into 0..MAXVAL (NEAR 0). */
  private int reconstruct(int value) {
    if (value < 0) {
      value += range;
    } else if (value > maxValue) {
      value -= range;
    }
    return Math.clamp(value, 0, maxValue);
  }

  /** T.87 A.6: accumulated error, bias and the correction value of a regular context. */
  private void update(int q, int error) {
    b[q] += error;
    a[q] += Math.abs(error);
    if (n[q] == reset) {
      a[q] >>= 1;
      b[q] = b[q] >= 0 ? b[q] >> 1 : -((1 - b[q]) >> 1);
      n[q] >>= 1;
    }
    n[q]++;
    if (b[q] <= -n[q]) {
      b[q] += n[q];
      if (c[q] > -128) {
        c[q]--;
      }
      if (b[q] <= -n[q]) {
        b[q] = -n[q] + 1;
      }
    } else if (b[q] > 0) {
      b[q] -= n[q];
      if (c[q] < 127) {
        c[q]++;
      }
      if (b[q] > 0) {
        b[q] = 0;
      }
    }
  }

  /** T.87 A.7: a run of Ra, then (unless the line ended) the sample that interrupted it. */
  private int runMode(int[] previous, int[] current, int x, int ra) {
    int left = columns - x + 1;
    int count = 0;
    while (readBit() == 1) {
      int step = Math.min(1 << J[runIndex], left - count);
      count += step;
      if (step == 1 << J[runIndex] && runIndex < 31) {
        runIndex++;
      }
      if (count == left) {
        break;
      }
    }
    if (count != left) {
      count += J[runIndex] > 0 ? readBits(J[runIndex]) : 0;
    }
    if (count > left) {
      throw refuse("a run past the end of its line");
    }
    for (int i = 0; i < count; i++) {
      current[x + i] = ra;
    }
    x += count;
    if (count == left) {
      return x;
    }
    int rb = previous[x];
    int type = ra == rb ? 1 : 0;
    int q = RUN_CONTEXTS + type;
    int temp = a[q] + (type == 1 ? n[q] >> 1 : 0);
    int k = golombParameter(n[q], temp);
    int mapped = golomb(k, limit - J[runIndex] - 1);
    int t = mapped + type;
    int odd = t & 1;
    int magnitude = (t + odd) / 2;
    boolean negative = (k != 0 || 2 * nn[type] >= n[q]) == (odd == 1);
    int error = negative ? -magnitude : magnitude;
    if (error < 0) {
      nn[type]++;
    }
    a[q] += (mapped + 1 - type) >> 1;
    if (n[q] == reset) {
      a[q] >>= 1;
      n[q] >>= 1;
      nn[type] >>= 1;
    }
    n[q]++;
    current[x] =
        type == 1 ? reconstruct(ra + error) : reconstruct(rb + error * (rb - ra < 0 ? -1 : 1));
    if (runIndex > 0) {
      runIndex--;
    }
    return x + 1;
  }

  /** A limited-length Golomb code (T.87 A.5.3): unary prefix, then k bits or an escape. */
  private int golomb(int k, int glimit) {
    int prefix = 0;
    while (readBit() == 0) {
      prefix++;
      if (prefix > glimit) {
        throw refuse("a Golomb code longer than its limit");
      }
    }
    if (prefix < glimit - qbpp - 1) {
      return (prefix << k) | (k > 0 ? readBits(k) : 0);
    }
    return readBits(qbpp) + 1;
  }

  private int readBit() {
    return readBits(1);
  }

  private int readBits(int count) {
    while (bitCount < count) {
      fill();
    }
    bitCount -= count;
    return (int) (bits >>> bitCount) & ((1 << count) - 1);
  }

  private void fill() {
    if (at >= data.length) {
      throw refuse("the entropy-coded data ends before the frame's last sample");
    }
    int next = data[at] & 0xFF;
    if (afterFf) {
      if ((next & 0x80) != 0) {
        throw refuse("a marker inside the entropy-coded data");
      }
      bits = (bits << 7) | next;
      bitCount += 7;
    } else {
      bits = (bits << 8) | next;
      bitCount += 8;
    }
    afterFf = next == 0xFF;
    at++;
  }

  /** A restart marker: the bit reader starts on a byte boundary after it. */
  private void restart() {
    bitCount = 0;
    bits = 0;
    afterFf = false;
    if (at + 1 >= data.length || (data[at] & 0xFF) != 0xFF || (data[at + 1] & 0xF8) != 0xD0) {
      throw refuse("a missing restart marker");
    }
    at += 2;
  }

  private int nextMarker() {
    while (u8() != 0xFF) {
      // fill bytes and stray data before a marker are skipped
    }
    int marker;
    do {
      marker = u8();
    } while (marker == 0xFF);
    return marker;
  }

  private int u8() {
    return data[at++] & 0xFF;
  }

  private int u16() {
    return (u8() << 8) | u8();
  }

  private static IngestException refuse(String message) {
    return new IngestException("ingest:series.pixel-decode", "JPEG-LS: " + message);
  }
}

package org.anatwin.ingest.internal;

import org.anatwin.ingest.IngestException;

/**
 * Decodes one frame of lossless JPEG (ITU-T T.81 process 14, Huffman coded, one component, 2 to 16
 * bits; DICOM transfer syntaxes 1.2.840.10008.1.2.4.57 and .70) into its samples.
 *
 * <p>Our own decoder rather than an ImageIO plugin because the one we tried dropped the last sample
 * of frames whose entropy-coded data ends in an unstuffed 0xFF byte before the EOI marker (dcmtk
 * writes such frames): a decoder that runs out of bits there must go on with 1-bits, the padding
 * T.81 F.1.2.3 prescribes, as dcmtk's own decoder does.
 */
final class JpegLossless {
  private final byte[] data;
  private int at;
  private final int[][] huffmanValues = new int[4][];
  private final int[][] maxCode = new int[4][];
  private final int[][] valuePointer = new int[4][];
  private final int[][] minCode = new int[4][];
  private int precision;
  private int lines;
  private int samplesPerLine;
  private int restartInterval;
  // entropy-coded bit reader
  private int bitBuffer;
  private int bitCount;
  private boolean markerReached;

  private JpegLossless(byte[] data) {
    this.data = data;
  }

  /** The frame's samples, row by row; {@code rows} and {@code columns} must match the frame's. */
  static short[] decode(byte[] frame, int rows, int columns) {
    try {
      return new JpegLossless(frame).run(rows, columns);
    } catch (ArrayIndexOutOfBoundsException e) {
      throw refuse("the JPEG data ends inside a segment");
    }
  }

  private short[] run(int rows, int columns) {
    if (u8() != 0xFF || u8() != 0xD8) {
      throw refuse("no JPEG start-of-image marker");
    }
    int selection = 0;
    int pointTransform = 0;
    int table = -1;
    while (true) {
      int marker = nextMarker();
      switch (marker) {
        case 0xC4 -> defineHuffmanTables();
        case 0xC3 -> {
          int length = u16();
          precision = u8();
          lines = u16();
          samplesPerLine = u16();
          int components = u8();
          if (components != 1) {
            throw refuse("a lossless JPEG frame with " + components + " components");
          }
          at += length - 8;
        }
        case 0xC0, 0xC1, 0xC2, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF ->
            throw refuse(
                String.format("not a lossless Huffman JPEG frame (SOF marker 0xFF%02X)", marker));
        case 0xDD -> {
          at += 2;
          restartInterval = u16();
        }
        case 0xDA -> {
          int length = u16();
          int components = u8();
          if (components != 1) {
            throw refuse("a scan with " + components + " components");
          }
          at++; // component selector
          table = u8() >> 4;
          selection = u8();
          at++; // Se
          pointTransform = u8() & 0x0F;
          if (length != 6 + 2 * components) {
            throw refuse("a malformed start-of-scan segment");
          }
          return scan(rows, columns, table, selection, pointTransform);
        }
        case 0xD9 -> throw refuse("the JPEG data ends before its scan");
        default -> at += u16() - 2; // APPn, COM, DQT and other segments we do not need
      }
    }
  }

  private short[] scan(int rows, int columns, int table, int selection, int pointTransform) {
    if (precision < 2 || precision > 16 || lines == 0 || samplesPerLine == 0) {
      throw refuse("no lossless JPEG frame header before the scan");
    }
    if (lines != rows || samplesPerLine != columns) {
      throw refuse(
          String.format(
              "the JPEG frame is %d x %d, the image %d x %d",
              samplesPerLine, lines, columns, rows));
    }
    if (selection < 1 || selection > 7) {
      throw refuse("predictor selection " + selection + " is not 1 to 7");
    }
    if (table < 0 || table > 3 || maxCode[table] == null) {
      throw refuse("the scan names an undefined Huffman table");
    }
    int[] out = new int[rows * columns];
    int mask = (1 << precision) - 1;
    int initial = 1 << (precision - pointTransform - 1);
    int sinceRestart = 0;
    boolean firstLine = true;
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < columns; x++) {
        int i = y * columns + x;
        if (restartInterval > 0 && sinceRestart == restartInterval) {
          restart();
          sinceRestart = 0;
          firstLine = true;
        }
        int predicted;
        if (sinceRestart == 0) {
          predicted = initial;
        } else if (firstLine) {
          predicted = x == 0 ? out[i - columns] : out[i - 1];
        } else if (x == 0) {
          predicted = out[i - columns];
        } else {
          int a = out[i - 1];
          int b = out[i - columns];
          int c = out[i - columns - 1];
          predicted =
              switch (selection) {
                case 1 -> a;
                case 2 -> b;
                case 3 -> c;
                case 4 -> a + b - c;
                case 5 -> a + ((b - c) >> 1);
                case 6 -> b + ((a - c) >> 1);
                default -> (a + b) >> 1;
              };
        }
        out[i] = (predicted + difference(table)) & 0xFFFF;
        sinceRestart++;
        if (x == columns - 1) {
          firstLine = false;
        }
      }
    }
    short[] samples = new short[out.length];
    for (int i = 0; i < out.length; i++) {
      samples[i] = (short) ((out[i] << pointTransform) & mask);
    }
    return samples;
  }

  /** A decoded difference: category by Huffman code, then that many magnitude bits (F.1.2.1). */
  private int difference(int table) {
    int category = huffman(table);
    if (category == 0) {
      return 0;
    }
    if (category == 16) {
      return 32768;
    }
    int bits = bits(category);
    return bits < 1 << (category - 1) ? bits - (1 << category) + 1 : bits;
  }

  private int huffman(int table) {
    int code = bit();
    for (int length = 1; length <= 16; length++) {
      if (code <= maxCode[table][length]) {
        return huffmanValues[table][valuePointer[table][length] + code - minCode[table][length]];
      }
      code = (code << 1) | bit();
    }
    throw refuse("a Huffman code that no table defines");
  }

  private int bits(int n) {
    int value = 0;
    for (int k = 0; k < n; k++) {
      value = (value << 1) | bit();
    }
    return value;
  }

  /** The next entropy-coded bit; 1-bits once a marker is reached (T.81 F.1.2.3 padding). */
  private int bit() {
    if (bitCount == 0) {
      if (markerReached || at >= data.length) {
        return 1;
      }
      int b = data[at] & 0xFF;
      if (b == 0xFF) {
        int next = at + 1 < data.length ? data[at + 1] & 0xFF : 0xD9;
        if (next == 0x00) {
          at += 2;
        } else if (next == 0xFF) {
          at++; // a fill byte before a marker: read on from the next 0xFF
          return bit();
        } else {
          markerReached = true;
          return 1;
        }
      } else {
        at++;
      }
      bitBuffer = b;
      bitCount = 8;
    }
    bitCount--;
    return (bitBuffer >> bitCount) & 1;
  }

  /** Drops the partial byte and reads the RSTn marker that must follow. */
  private void restart() {
    bitCount = 0;
    markerReached = false;
    while (at < data.length && (data[at] & 0xFF) == 0xFF) {
      at++;
    }
    if (at >= data.length || (data[at] & 0xF8) != 0xD0) {
      throw refuse("a restart marker is missing");
    }
    at++;
  }

  private void defineHuffmanTables() {
    int end = at + u16();
    while (at < end) {
      int id = u8() & 0x0F;
      if (id > 3) {
        throw refuse("Huffman table id " + id);
      }
      int[] counts = new int[17];
      int total = 0;
      for (int length = 1; length <= 16; length++) {
        counts[length] = u8();
        total += counts[length];
      }
      if (total > 256) {
        throw refuse("a Huffman table with " + total + " codes");
      }
      int[] values = new int[total];
      for (int k = 0; k < total; k++) {
        values[k] = u8();
      }
      // canonical codes by length (T.81 C.2, F.2.2.3)
      int[] max = new int[18];
      int[] min = new int[17];
      int[] pointer = new int[17];
      int code = 0;
      int k = 0;
      for (int length = 1; length <= 16; length++) {
        pointer[length] = k;
        min[length] = code;
        code += counts[length];
        k += counts[length];
        max[length] = counts[length] == 0 ? -1 : code - 1;
        code <<= 1;
      }
      huffmanValues[id] = values;
      maxCode[id] = max;
      minCode[id] = min;
      valuePointer[id] = pointer;
    }
  }

  private int nextMarker() {
    while ((data[at] & 0xFF) != 0xFF) {
      at++;
    }
    while ((data[at] & 0xFF) == 0xFF) {
      at++;
    }
    return data[at++] & 0xFF;
  }

  private int u8() {
    return data[at++] & 0xFF;
  }

  private int u16() {
    return (u8() << 8) | u8();
  }

  private static IngestException refuse(String message) {
    return new IngestException("ingest:series.pixel-decode", "lossless JPEG: " + message);
  }
}

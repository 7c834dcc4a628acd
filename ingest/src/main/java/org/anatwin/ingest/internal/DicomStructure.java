package org.anatwin.ingest.internal;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.anatwin.ingest.IngestException;
import org.jspecify.annotations.Nullable;

/**
 * Walks the element structure of a DICOM file before any parser allocates for it: every length must
 * fit in the bytes that remain, sequences may nest only so deep, a file may hold only so many
 * elements, explicit VRs must be real VRs and the transfer syntax must be one we read. A file that
 * breaks a rule is refused with a code, so a hostile length never becomes an allocation.
 */
public final class DicomStructure {
  /**
   * The limits of the walk; {@code maxDatasetBytes} bounds what a deflated data set may inflate to.
   */
  public record Limits(int maxElements, int maxDepth, long maxElementBytes, long maxDatasetBytes) {
    public static Limits defaults() {
      return new Limits(200_000, 12, 1L << 30, 1L << 30);
    }
  }

  private static final Set<String> VRS =
      Set.of(
          "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "OB", "OD", "OF",
          "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN",
          "UR", "US", "UT", "UV");
  private static final Set<String> LONG_LENGTH =
      Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV");
  private static final long UNDEFINED = 0xFFFFFFFFL;

  private final byte[] b;
  private final Limits limits;
  private boolean explicit;
  private boolean bigEndian;
  private int elements;

  private DicomStructure(byte[] bytes, Limits limits) {
    this.b = bytes;
    this.limits = limits;
  }

  /**
   * Checks the file; returns normally when its structure is sound, with the inflated data set when
   * the file is deflated (null otherwise).
   */
  public static byte @Nullable [] check(byte[] bytes, Limits limits) {
    try {
      return new DicomStructure(bytes, limits).walk();
    } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
      // a structure this walk did not foresee: refuse it rather than fail the caller
      throw refuse(
          "ingest:file.malformed", "the file's structure cannot be read: " + e.getMessage());
    }
  }

  private byte @Nullable [] walk() {
    int at = 0;
    String transferSyntax = null;
    if (b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') {
      explicit = true;
      at = 132;
      long groupLength = -1;
      int groupStart = -1;
      while (at + 8 <= b.length && u16(at) == 0x0002) {
        int element = u16(at + 2);
        long[] header = header(at, 0);
        if (header[1] > b.length - header[0]) {
          throw refuse(
              "ingest:file.bad-length",
              String.format(
                  "meta element (0002,%04X) claims more bytes than the file holds", element));
        }
        if (element == 0x0000 && header[1] == 4) {
          groupLength = u32((int) header[0]);
          groupStart = (int) (header[0] + header[1]);
        }
        if (element == 0x0010) {
          transferSyntax =
              new String(b, (int) header[0], (int) header[1], StandardCharsets.US_ASCII)
                  .replace("\0", "")
                  .strip();
        }
        at = (int) (header[0] + header[1]);
      }
      if (groupLength >= 0 && groupLength != at - groupStart) {
        throw refuse(
            "ingest:file.bad-length",
            "File Meta Information Group Length says "
                + groupLength
                + " bytes but the group holds "
                + (at - groupStart));
      }
      if (transferSyntax == null) {
        throw refuse(
            "ingest:file.no-transfer-syntax", "the file meta information names no transfer syntax");
      }
      if (!transferSyntax.matches("(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))+")
          || transferSyntax.length() > 64) {
        throw refuse("ingest:file.transfer-syntax", "the transfer syntax UID is malformed");
      }
      if (!TransferSyntaxes.accepted(transferSyntax)) {
        throw refuse(
            "ingest:file.transfer-syntax",
            "transfer syntax "
                + transferSyntax
                + " is not one we store; send it uncompressed, deflated, RLE or JPEG lossless");
      }
      if (transferSyntax.equals(TransferSyntaxes.DEFLATED)) {
        byte[] dataset = inflate(at);
        DicomStructure inflated = new DicomStructure(dataset, limits);
        inflated.explicit = true;
        inflated.elements(0, dataset.length, 0);
        return dataset;
      }
      explicit = !transferSyntax.equals(TransferSyntaxes.IMPLICIT_LE);
      bigEndian = transferSyntax.equals(TransferSyntaxes.EXPLICIT_BE);
    } else {
      explicit = b.length >= 6 && Character.isUpperCase(b[4]) && Character.isUpperCase(b[5]);
    }
    elements(at, b.length, 0);
    return null;
  }

  /**
   * The data set after the meta group, inflated (raw deflate, PS3.5 A.5), never more than the
   * limit's bytes: a small file that would inflate past it is refused before it is all held.
   */
  private byte[] inflate(int at) {
    java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
    try {
      inflater.setInput(b, at, b.length - at);
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(2 * (b.length - at));
      byte[] chunk = new byte[64 * 1024];
      while (!inflater.finished()) {
        int n = inflater.inflate(chunk);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw refuse("ingest:file.bad-deflate", "the deflated data set ends before its end");
        }
        if ((long) out.size() + n > limits.maxDatasetBytes()) {
          throw refuse(
              "ingest:file.too-large",
              "the deflated data set inflates to more than " + limits.maxDatasetBytes() + " bytes");
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (java.util.zip.DataFormatException e) {
      throw refuse(
          "ingest:file.bad-deflate", "the deflated data set is corrupt: " + e.getMessage());
    } finally {
      inflater.end();
    }
  }

  /**
   * Walks elements from {@code at} to {@code end} at a sequence nesting depth (0 for the data set,
   * 1 inside an item of a top-level sequence, ...); returns where it stopped.
   */
  private int elements(int at, int end, int depth) {
    if (depth > limits.maxDepth()) {
      throw refuse(
          "ingest:file.too-deep", "sequences nest deeper than " + limits.maxDepth() + " levels");
    }
    while (at < end) {
      if (at + 8 > end) {
        throw refuse("ingest:file.truncated", "the file ends inside an element header");
      }
      int group = u16(at);
      int element = u16(at + 2);
      if (group == 0xFFFE && (element == 0xE00D || element == 0xE0DD)) {
        return at; // the caller reads the delimiter
      }
      if (++elements > limits.maxElements()) {
        throw refuse(
            "ingest:file.too-many-elements", "more than " + limits.maxElements() + " elements");
      }
      boolean itemLike = group == 0xFFFE;
      long[] header = header(at, depth);
      long length = header[1];
      int valueStart = (int) header[0];
      String vr = itemLike ? "" : (String.valueOf((char) header[2]) + (char) header[3]);
      if (length == UNDEFINED) {
        if (!explicit
            || vr.equals("SQ")
            || vr.equals("UN")
            || (group == 0x7FE0 && element == 0x0010)) {
          at = items(valueStart, end, depth + 1);
        } else {
          throw refuse(
              "ingest:file.bad-length", "an element of VR " + vr + " has undefined length");
        }
      } else {
        if (length > limits.maxElementBytes()) {
          throw refuse(
              "ingest:file.element-too-long",
              String.format(
                  "element (%04X,%04X) has %d bytes, over the limit of %d",
                  group, element, length, limits.maxElementBytes()));
        }
        if (length > end - valueStart) {
          throw refuse(
              "ingest:file.bad-length",
              String.format(
                  "element (%04X,%04X) claims %d bytes but only %d remain",
                  group, element, length, end - valueStart));
        }
        if (explicit && vr.equals("SQ")) {
          items(valueStart, valueStart + (int) length, depth + 1);
        }
        at = valueStart + (int) length;
      }
    }
    return at;
  }

  /**
   * Walks the items of a sequence (or fragments of encapsulated pixel data) up to its delimiter or
   * end.
   */
  private int items(int at, int end, int depth) {
    if (depth > limits.maxDepth()) {
      throw refuse(
          "ingest:file.too-deep", "sequences nest deeper than " + limits.maxDepth() + " levels");
    }
    while (at < end) {
      if (at + 8 > end) {
        throw refuse("ingest:file.truncated", "the file ends inside a sequence");
      }
      int group = u16(at);
      int element = u16(at + 2);
      long length = u32(at + 4);
      if (group != 0xFFFE) {
        throw refuse(
            "ingest:file.bad-sequence",
            String.format("expected an item tag, found (%04X,%04X)", group, element));
      }
      if (++elements > limits.maxElements()) {
        throw refuse(
            "ingest:file.too-many-elements", "more than " + limits.maxElements() + " elements");
      }
      at += 8;
      if (element == 0xE0DD) {
        return at; // sequence delimiter
      }
      if (element != 0xE000) {
        throw refuse(
            "ingest:file.bad-sequence", String.format("unexpected delimiter (FFFE,%04X)", element));
      }
      if (length == UNDEFINED) {
        at = elements(at, end, depth);
        if (at + 8 > end || u16(at) != 0xFFFE || u16(at + 2) != 0xE00D) {
          throw refuse(
              "ingest:file.truncated", "an item of undefined length has no item delimiter");
        }
        at += 8;
      } else {
        if (length > end - at) {
          throw refuse(
              "ingest:file.bad-length",
              "an item claims " + length + " bytes but only " + (end - at) + " remain");
        }
        elementsOrFragment(at, at + (int) length, depth);
        at += (int) length;
      }
    }
    if (end == b.length) {
      throw refuse("ingest:file.truncated", "a sequence of undefined length has no delimiter");
    }
    return at;
  }

  private void elementsOrFragment(int at, int end, int depth) {
    // an item of a sequence holds elements; a fragment of encapsulated pixel data holds bytes
    if (end - at >= 8 && looksLikeElement(at)) {
      elements(at, end, depth);
    }
  }

  private boolean looksLikeElement(int at) {
    if (!explicit) {
      return true;
    }
    return VRS.contains(new String(b, at + 4, 2, StandardCharsets.US_ASCII));
  }

  /** {value start, length, vr char 1, vr char 2} of the element at {@code at}. */
  private long[] header(int at, int depth) {
    if (at + 8 > b.length) {
      throw refuse("ingest:file.truncated", "the file ends inside an element header");
    }
    int group = u16(at);
    if (!explicit || group == 0xFFFE) {
      return new long[] {at + 8, u32(at + 4), 0, 0};
    }
    String vr = new String(b, at + 4, 2, StandardCharsets.US_ASCII);
    if (!VRS.contains(vr)) {
      throw refuse(
          "ingest:file.bad-vr",
          String.format("element (%04X,%04X) has no valid VR", group, u16(at + 2)));
    }
    if (LONG_LENGTH.contains(vr)) {
      if (at + 12 > b.length) {
        throw refuse("ingest:file.truncated", "the file ends inside an element header");
      }
      return new long[] {at + 12, u32(at + 8), vr.charAt(0), vr.charAt(1)};
    }
    return new long[] {at + 8, u16(at + 6), vr.charAt(0), vr.charAt(1)};
  }

  /** Reads little endian, or big endian once the meta group named Explicit VR Big Endian. */
  private int u16(int at) {
    return bigEndian
        ? (b[at] & 0xff) << 8 | (b[at + 1] & 0xff)
        : (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
  }

  private long u32(int at) {
    if (bigEndian) {
      return (b[at] & 0xffL) << 24
          | (b[at + 1] & 0xffL) << 16
          | (b[at + 2] & 0xffL) << 8
          | (b[at + 3] & 0xffL);
    }
    return (b[at] & 0xffL)
        | (b[at + 1] & 0xffL) << 8
        | (b[at + 2] & 0xffL) << 16
        | (b[at + 3] & 0xffL) << 24;
  }

  private static IngestException refuse(String code, String message) {
    return new IngestException(code, message);
  }
}

package org.anatwin.ingest.internal;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whether two encodings of an instance hold the same data set: a re-send in another of the transfer
 * syntaxes we store (implicit or explicit VR, either byte order, deflated, RLE, lossless JPEG) is
 * the same image, so a duplicate rather than a conflict. Every syntax we store is lossless, so the
 * comparison is exact: the decoded pixel values, and every other attribute's value bytes written
 * out in one encoding (implicit VR little endian). The file meta group, group lengths and trailing
 * padding are encoding, not content, and are left out. Anything that cannot be read or decoded
 * counts as different: a false "different" only keeps an instance in quarantine, a false "same"
 * would lose one.
 */
public final class DataSetEquivalence {
  private DataSetEquivalence() {}

  /** Whether {@code a} and {@code b} (each a Part 10 file we accepted) carry the same data set. */
  public static boolean same(byte[] a, byte[] b, String instance) {
    try {
      AttributeList x = SeriesAssembler.readDecoded(a, instance);
      AttributeList y = SeriesAssembler.readDecoded(b, instance);
      String dx = DicomInstance.text(x, TagFromName.DerivationDescription);
      String dy = DicomInstance.text(y, TagFromName.DerivationDescription);
      if (!dx.equals(dy) && onlyACompressionNote(dx, dy)) {
        x.remove(TagFromName.DerivationDescription);
        y.remove(TagFromName.DerivationDescription);
      }
      return samePixels(x.get(TagFromName.PixelData), y.get(TagFromName.PixelData))
          && Arrays.equals(canonical(x), canonical(y));
    } catch (DicomException | IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Whether one description is the other with a lossless compressor's note: the note alone when
   * there was none, or dcmtk's "note [original]".
   */
  static boolean onlyACompressionNote(String x, String y) {
    return addsNote(x, y) || addsNote(y, x);
  }

  private static final java.util.regex.Pattern NOTE =
      java.util.regex.Pattern.compile("(?i)lossless [^\\[\\]]*compression[^\\[\\]]*");

  private static boolean addsNote(String original, String described) {
    if (original.isEmpty()) {
      return NOTE.matcher(described).matches();
    }
    String kept = " [" + original + "]";
    return described.endsWith(kept)
        && NOTE.matcher(described.substring(0, described.length() - kept.length())).matches();
  }

  private static boolean samePixels(Attribute x, Attribute y) throws DicomException {
    if (x == null || y == null) {
      return x == y;
    }
    if (x instanceof OtherWordAttribute && y instanceof OtherWordAttribute) {
      return Arrays.equals(x.getShortValues(), y.getShortValues());
    }
    return Arrays.equals(littleEndian(x), littleEndian(y));
  }

  /** The pixel data's bytes in little endian order, whether it was read as words or bytes. */
  private static byte[] littleEndian(Attribute pixels) throws DicomException {
    if (!(pixels instanceof OtherWordAttribute)) {
      return pixels.getByteValues();
    }
    short[] words = pixels.getShortValues();
    byte[] bytes = new byte[words.length * 2];
    for (int i = 0; i < words.length; i++) {
      bytes[2 * i] = (byte) words[i];
      bytes[2 * i + 1] = (byte) (words[i] >> 8);
    }
    return bytes;
  }

  /**
   * Every attribute but the pixel data and the encoding's own, written in implicit VR little
   * endian: values in one byte order, and no VR, which an implicit VR file cannot carry for private
   * attributes (they read back as UN with the same bytes).
   */
  private static byte[] canonical(AttributeList list) throws DicomException, IOException {
    List<AttributeTag> encoding = new ArrayList<>();
    for (AttributeTag tag : list.keySet()) {
      if (tag.getGroup() == 0x0002
          || tag.getElement() == 0x0000
          || tag.equals(TagFromName.PixelData)
          || tag.equals(TagFromName.DataSetTrailingPadding)) {
        encoding.add(tag);
      }
    }
    AttributeList content = new AttributeList();
    content.putAll(list);
    encoding.forEach(content::remove);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    content.write(out, TransferSyntax.ImplicitVRLittleEndian, false, true);
    return out.toByteArray();
  }
}

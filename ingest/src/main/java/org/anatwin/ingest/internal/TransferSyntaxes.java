package org.anatwin.ingest.internal;

import java.util.List;
import java.util.Set;

/**
 * The transfer syntaxes ingest stores: those whose pixel data we can decode losslessly into a
 * volume. The uncompressed ones, deflated explicit VR little endian, RLE lossless, JPEG lossless
 * (process 14, and its selection value 1 form) and lossless JPEG-LS. Lossy and other compressed
 * syntaxes (JPEG baseline, near-lossless JPEG-LS, JPEG 2000, MPEG, HTJ2K) are refused at
 * association time and as files, so a sender transcodes rather than we keep images nobody can model
 * from. The pixel data is stored as received and decoded when a volume is assembled ({@link Rle},
 * {@link JpegLossless}, {@link JpegLs}).
 */
public final class TransferSyntaxes {
  public static final String IMPLICIT_LE = "1.2.840.10008.1.2";
  public static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
  public static final String EXPLICIT_BE = "1.2.840.10008.1.2.2";
  public static final String DEFLATED = "1.2.840.10008.1.2.1.99";
  public static final String RLE = "1.2.840.10008.1.2.5";
  public static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57";
  public static final String JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70";
  public static final String JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80";

  /** In the order we prefer them when a presentation context proposes several. */
  public static final List<String> PREFERENCE =
      List.of(
          EXPLICIT_LE,
          IMPLICIT_LE,
          JPEG_LS_LOSSLESS,
          JPEG_LOSSLESS_SV1,
          JPEG_LOSSLESS,
          RLE,
          DEFLATED,
          EXPLICIT_BE);

  private static final Set<String> ACCEPTED = Set.copyOf(PREFERENCE);

  private TransferSyntaxes() {}

  public static boolean accepted(String uid) {
    return ACCEPTED.contains(uid);
  }
}

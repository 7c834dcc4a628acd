package org.anatwin.api;

import java.util.Base64;
import java.util.Locale;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/** Files that arrive inside a GraphQL request as base64 text. */
public final class Uploads {
  /** Base64 of an uploaded mesh (design, QA scan) is refused above this many decoded bytes. */
  public static final int MAX_MESH_BYTES = 15 << 20;

  private Uploads() {}

  /**
   * The decoded bytes, refused with {@code <codePrefix>.too-large} above {@code maxBytes} (before
   * decoding) or {@code <codePrefix>.encoding} when the text is not base64.
   */
  public static byte[] base64(
      String content,
      int maxBytes,
      String codePrefix,
      BiFunction<String, String, ? extends RuntimeException> refusal) {
    if (content.length() > maxBytes / 3 * 4 + 4) {
      throw refusal.apply(
          codePrefix + ".too-large", "the file is at most " + (maxBytes >> 20) + " MB");
    }
    try {
      return Base64.getMimeDecoder().decode(content);
    } catch (IllegalArgumentException e) {
      throw refusal.apply(codePrefix + ".encoding", "content must be the file in base64");
    }
  }

  /** The format named by a file name's extension ("stl", "ply", ...), or null without one. */
  public static @Nullable String format(@Nullable String fileName) {
    if (fileName == null) {
      return null;
    }
    String name = fileName.toLowerCase(Locale.ROOT);
    int dot = name.lastIndexOf('.');
    return dot < 0 ? null : name.substring(dot + 1);
  }
}

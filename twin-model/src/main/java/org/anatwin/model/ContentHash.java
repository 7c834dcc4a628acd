package org.anatwin.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A SHA-256 digest in lower-case hex: the address of a blob and the fingerprint of a dataset. */
public record ContentHash(String hex) {
  private static final Pattern FORM = Pattern.compile("[0-9a-f]{64}");

  public ContentHash {
    if (!FORM.matcher(hex).matches()) {
      throw ModelException.invalid("content-hash", hex);
    }
  }

  public static ContentHash parse(String hex) {
    return new ContentHash(hex);
  }

  /** Hashes {@code length} bytes of {@code bytes} from {@code offset}. */
  public static ContentHash of(byte[] bytes, int offset, int length) {
    MessageDigest digest = newDigest();
    digest.update(bytes, offset, length);
    return new ContentHash(HexFormat.of().formatHex(digest.digest()));
  }

  public static ContentHash of(byte[] bytes) {
    return of(bytes, 0, bytes.length);
  }

  /** A fresh SHA-256 digest. */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return hex;
  }
}

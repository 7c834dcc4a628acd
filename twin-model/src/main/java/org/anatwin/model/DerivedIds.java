package org.anatwin.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Deterministic identifiers: a derived entity's id is a hash of its inputs' ids, the algorithm, its
 * version and its parameters, so re-running a derivation yields the same id.
 */
public final class DerivedIds {
  private DerivedIds() {}

  /**
   * Builds {@code prefix-<32 hex>} from the parts. Maps are hashed in key order, so parameter maps
   * give the same id whatever their iteration order.
   */
  public static String createId(String prefix, Object... parts) {
    MessageDigest digest = ContentHash.newDigest();
    digest.update(prefix.getBytes(StandardCharsets.UTF_8));
    for (Object part : parts) {
      digest.update((byte) 0x1f);
      digest.update(canonical(part).getBytes(StandardCharsets.UTF_8));
    }
    return prefix + "-" + HexFormat.of().formatHex(digest.digest(), 0, 16);
  }

  private static String canonical(Object part) {
    if (part instanceof Map<?, ?> map) {
      StringBuilder out = new StringBuilder("{");
      new TreeMap<>(map)
          .forEach((k, v) -> out.append(k).append('=').append(canonical(v)).append(';'));
      return out.append('}').toString();
    }
    if (part instanceof Iterable<?> items) {
      StringBuilder out = new StringBuilder("[");
      items.forEach(item -> out.append(canonical(item)).append(';'));
      return out.append(']').toString();
    }
    return String.valueOf(part);
  }
}

package org.anatwin.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * For a {@code @BatchMapping} of a field that may be null: Spring GraphQL turns a returned list
 * into a stream, which refuses null elements (the whole request failed with an internal error when
 * one order had no printer yet). A map answers by owner instead; an owner left out gets null.
 */
public final class Batches {
  private Batches() {}

  public static <K, V> Map<K, V> byOwner(List<K> owners, Function<K, @Nullable V> value) {
    Map<K, V> out = new HashMap<>();
    for (K owner : owners) {
      V v = value.apply(owner);
      if (v != null) {
        out.put(owner, v);
      }
    }
    return out;
  }
}

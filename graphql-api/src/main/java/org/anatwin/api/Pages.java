package org.anatwin.api;

/** Page-size rules for every list the API returns. */
public final class Pages {
  /** No page is longer than this. */
  public static final int MAX = 100;

  private Pages() {}

  /** The requested size, at least 1 and at most {@link #MAX}. */
  public static int size(Integer first) {
    return first == null ? 20 : Math.max(1, Math.min(MAX, first));
  }
}

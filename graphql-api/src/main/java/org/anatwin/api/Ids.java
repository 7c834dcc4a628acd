package org.anatwin.api;

import java.util.Optional;
import java.util.function.Function;

/** Reading ids that arrive as GraphQL {@code ID} strings. */
public final class Ids {
  private Ids() {}

  /**
   * The typed id, or empty when the text is not of that id's form (a lookup then finds nothing).
   */
  public static <T> Optional<T> tryParse(String id, Function<String, T> parser) {
    try {
      return Optional.of(parser.apply(id));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}

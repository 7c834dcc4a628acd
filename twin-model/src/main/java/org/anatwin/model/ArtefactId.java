package org.anatwin.model;

import java.util.regex.Pattern;

/** Identifier of a artefact: {@code artefact-} followed by 32 lower-case hex digits. */
public record ArtefactId(String value) {
  private static final Pattern FORM = Pattern.compile("artefact-[0-9a-f]{32}");

  public ArtefactId {
    if (!FORM.matcher(value).matches()) {
      throw ModelException.invalid("artefact-id", value);
    }
  }

  /** Parses an id as written in the graph or the API. */
  public static ArtefactId parse(String value) {
    return new ArtefactId(value);
  }

  /** A deterministic id derived from the given parts (see {@link DerivedIds}). */
  public static ArtefactId createDerived(Object... parts) {
    return new ArtefactId(DerivedIds.createId("artefact", parts));
  }

  @Override
  public String toString() {
    return value;
  }
}

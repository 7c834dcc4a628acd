package org.anatwin.storage.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;

/**
 * Applies the versioned schema migrations {@code migrations/V<n>__<name>.cypher} in order, once
 * each, recording every applied version as a {@code __Migration} node.
 */
public final class Migrations {
  /** The migrations, in order. A new one is appended here and never edited once released. */
  static final List<String> ALL =
      List.of(
          "V0001__constraints.cypher",
          "V0002__pseudonym_index.cypher",
          "V0003__pseudonym_key.cypher");

  private Migrations() {}

  public static void apply(Driver driver) {
    try (Session session = driver.session()) {
      for (String name : ALL) {
        String version = name.substring(0, name.indexOf("__"));
        boolean applied =
            session.executeRead(
                tx ->
                    tx.run(
                            "MATCH (m:__Migration {version: $v}) RETURN count(m) > 0 AS applied",
                            Map.of("v", version))
                        .single()
                        .get("applied")
                        .asBoolean());
        if (applied) {
          continue;
        }
        for (String statement : statements(name)) {
          session.run(statement).consume();
        }
        session.executeWriteWithoutResult(
            tx ->
                tx.run(
                    "CREATE (:__Migration {version: $v, name: $n, appliedAt: datetime()})",
                    Map.of("v", version, "n", name)));
      }
    }
  }

  private static List<String> statements(String name) {
    try (InputStream in =
        Migrations.class.getResourceAsStream("/org/anatwin/storage/migrations/" + name)) {
      if (in == null) {
        throw new IllegalStateException("migration " + name + " is not on the class path");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String code =
          text.lines()
              .filter(l -> !l.strip().startsWith("//"))
              .collect(java.util.stream.Collectors.joining("\n"));
      return java.util.Arrays.stream(code.split(";"))
          .map(String::strip)
          .filter(s -> !s.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

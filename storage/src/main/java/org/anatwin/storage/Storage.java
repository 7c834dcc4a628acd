package org.anatwin.storage;

import java.net.URI;
import java.nio.file.Path;
import org.anatwin.storage.internal.EmbeddedNeo4j;
import org.anatwin.storage.internal.Migrations;
import org.jspecify.annotations.Nullable;
import org.neo4j.driver.AuthToken;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;

/**
 * Entry point of the storage module: opens the blob store under the data folder and the graph. With
 * no URI the graph is a Neo4j embedded in this JVM (store under {@code <home>/graph}, Bolt on
 * 127.0.0.1 only, HTTP off), started before the driver and stopped after it; with a URI nothing is
 * embedded. Migrations are applied before {@link #open} returns.
 */
public final class Storage implements AutoCloseable {
  private final BlobStore blobs;
  private final Graph graph;
  private final Driver driver;
  private final @Nullable EmbeddedNeo4j embedded;

  private Storage(BlobStore blobs, Driver driver, @Nullable EmbeddedNeo4j embedded) {
    this.blobs = blobs;
    this.driver = driver;
    this.graph = new Graph(driver);
    this.embedded = embedded;
  }

  /** Settings: the data folder, and optionally an external Neo4j with its credentials. */
  public record Settings(
      Path home, @Nullable URI neo4jUri, String neo4jUser, String neo4jPassword, int boltPort) {
    /** Embedded defaults under the given data folder, Bolt on a free port. */
    public static Settings embedded(Path home) {
      return new Settings(home, null, "", "", 0);
    }
  }

  /** Opens storage; the caller closes it. */
  public static Storage open(Settings settings) {
    BlobStore blobs = new BlobStore(settings.home().resolve("blobs"));
    EmbeddedNeo4j embedded = null;
    URI uri = settings.neo4jUri();
    AuthToken auth = AuthTokens.none();
    if (uri == null) {
      embedded = EmbeddedNeo4j.start(settings.home().resolve("graph"), settings.boltPort());
      uri = embedded.boltUri();
      // the embedded store is locked to this process now, so no one else writes blobs here
      blobs.removePartialFiles();
    } else if (!settings.neo4jUser().isEmpty()) {
      auth = AuthTokens.basic(settings.neo4jUser(), settings.neo4jPassword());
    }
    Driver driver =
        GraphDatabase.driver(
            uri, auth, Config.builder().withoutEncryption().withTelemetryDisabled(true).build());
    try {
      driver.verifyConnectivity();
      Migrations.apply(driver);
    } catch (RuntimeException e) {
      driver.close();
      if (embedded != null) {
        embedded.close();
      }
      throw new StorageException(
          "storage:graph.unavailable",
          "cannot open the graph at " + uri + ": " + e.getMessage(),
          e);
    }
    return new Storage(blobs, driver, embedded);
  }

  public BlobStore blobs() {
    return blobs;
  }

  public Graph graph() {
    return graph;
  }

  /** The Bolt URI the driver talks to (embedded or external). */
  public String describeGraph() {
    return embedded != null ? "embedded Neo4j, " + embedded.boltUri() : "external Neo4j";
  }

  @Override
  public void close() {
    driver.close();
    if (embedded != null) {
      embedded.close();
    }
  }
}

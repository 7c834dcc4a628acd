package org.anatwin.storage.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/** A Neo4j DBMS inside this JVM, reachable only over Bolt on the loopback interface. */
public final class EmbeddedNeo4j implements AutoCloseable {
  private final DatabaseManagementService dbms;
  private final int port;
  private final CountDownLatch closed = new CountDownLatch(1);

  /**
   * How long the JVM's shutdown hook waits for the owner (the service's context, a try block) to
   * close the database in order, before shutting it down itself.
   */
  private static final long ORDERLY_CLOSE_SECONDS = 10;

  private EmbeddedNeo4j(DatabaseManagementService dbms, int port) {
    this.dbms = dbms;
    this.port = port;
  }

  /** Starts the DBMS on the store folder; {@code port} 0 picks a free port. */
  public static EmbeddedNeo4j start(Path storeDir, int port) {
    int bolt = port > 0 ? port : freeLoopbackPort();
    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(storeDir)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", bolt))
            .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", bolt))
            .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
            .setConfig(HttpConnector.enabled, false)
            .setConfig(HttpsConnector.enabled, false)
            .setConfig(GraphDatabaseSettings.auth_enabled, false)
            .build();
    EmbeddedNeo4j neo4j = new EmbeddedNeo4j(dbms, bolt);
    // JVM shutdown hooks run at once: the owner's (Spring's, which still writes a last audit
    // checkpoint) must find the database open, so this one only steps in if nobody closes it
    Runtime.getRuntime()
        .addShutdownHook(new Thread(neo4j::closeUnlessClosedInOrder, "neo4j-shutdown"));
    return neo4j;
  }

  private static int freeLoopbackPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port for Bolt", e);
    }
  }

  public URI boltUri() {
    return URI.create("bolt://127.0.0.1:" + port);
  }

  private void closeUnlessClosedInOrder() {
    try {
      if (closed.await(ORDERLY_CLOSE_SECONDS, TimeUnit.SECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close();
  }

  @Override
  public synchronized void close() {
    if (closed.getCount() > 0) {
      dbms.shutdown();
      closed.countDown();
    }
  }
}

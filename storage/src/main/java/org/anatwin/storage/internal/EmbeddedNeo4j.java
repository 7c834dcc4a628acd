package org.anatwin.storage.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
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
    Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));
    return new EmbeddedNeo4j(dbms, bolt);
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

  @Override
  public void close() {
    dbms.shutdown();
  }
}

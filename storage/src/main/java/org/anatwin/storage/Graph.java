package org.anatwin.storage;

import java.util.function.Function;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.TransactionContext;

/**
 * The graph as the modules see it: managed read and write transactions through the Neo4j Java
 * Driver, whether the database is embedded or remote. Only {@code storage} and the modules' {@code
 * persistence} packages use it.
 */
public final class Graph {
  private final Driver driver;

  Graph(Driver driver) {
    this.driver = driver;
  }

  /** Runs the work in one write transaction, retried by the driver on transient failures. */
  public <T> T write(Function<TransactionContext, T> work) {
    try (Session session = driver.session()) {
      return session.executeWrite(work::apply);
    }
  }

  /** Runs the work in one read transaction. */
  public <T> T read(Function<TransactionContext, T> work) {
    try (Session session = driver.session()) {
      return session.executeRead(work::apply);
    }
  }
}

package org.anatwin.storage;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.neo4j.driver.AccessMode;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.TransactionContext;

/**
 * The graph as the modules see it: managed read and write transactions through the Neo4j Java
 * Driver, whether the database is embedded or remote. Only {@code storage} and the modules' {@code
 * persistence} packages use it.
 */
public final class Graph {
  /** The write transaction the current thread is inside, if any. */
  private static final ThreadLocal<TransactionContext> CURRENT = new ThreadLocal<>();

  private final Driver driver;
  private final LongAdder statements = new LongAdder();
  private final LongAdder writes = new LongAdder();

  Graph(Driver driver) {
    this.driver = driver;
  }

  /**
   * How many Cypher statements this graph has sent since it opened (a gauge for operators, and how
   * tests show that a nested request costs a bounded number of queries).
   */
  public long statements() {
    return statements.sum();
  }

  /** How many write transactions this graph has committed since it opened (joined ones not). */
  public long writeTransactions() {
    return writes.sum();
  }

  /** The transaction as the work sees it: every statement it runs is counted. */
  private TransactionContext counted(TransactionContext tx) {
    return (TransactionContext)
        Proxy.newProxyInstance(
            TransactionContext.class.getClassLoader(),
            new Class<?>[] {TransactionContext.class},
            (proxy, method, args) -> {
              if (method.getName().equals("run")) {
                statements.increment();
              }
              try {
                return method.invoke(tx, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  /**
   * Runs the work in one write transaction, retried by the driver on transient failures. Called
   * while the thread is already inside a write transaction, the work joins it: what it writes
   * commits or rolls back with the outer work (so an audit event appended inside an operation's
   * transaction is written with it, or the operation fails with it).
   */
  public <T> T write(Function<TransactionContext, T> work) {
    TransactionContext outer = CURRENT.get();
    if (outer != null) {
      return work.apply(outer);
    }
    try (Session session = driver.session()) {
      T result =
          session.executeWrite(
              raw -> {
                TransactionContext tx = counted(raw);
                CURRENT.set(tx);
                try {
                  return work.apply(tx);
                } finally {
                  CURRENT.remove();
                }
              });
      writes.increment();
      return result;
    }
  }

  /** Whether the current thread is inside a write transaction that {@link #write} would join. */
  public boolean joined() {
    return CURRENT.get() != null;
  }

  /**
   * Runs work made of several module calls (each writing through this graph) in one write
   * transaction: they all commit, or none does.
   */
  public void atomically(Runnable work) {
    write(
        tx -> {
          work.run();
          return null;
        });
  }

  /**
   * Runs the work in one write transaction, as {@link #atomically(Runnable)}, and returns its
   * result.
   */
  public <T> T atomically(java.util.function.Supplier<T> work) {
    return write(tx -> work.get());
  }

  /**
   * Runs read-only work. Each statement it runs is its own auto-commit transaction: one round trip
   * to the database instead of the two of an explicit transaction (begin and run, then commit), and
   * no weaker for reading: Neo4j's transactions are read-committed, so statements in one explicit
   * transaction do not see one snapshot either. Inside a write transaction the work joins it (and
   * so reads what that transaction wrote).
   */
  public <T> T read(Function<TransactionContext, T> work) {
    TransactionContext outer = CURRENT.get();
    if (outer != null) {
      return work.apply(outer);
    }
    try (Session session = driver.session(READS)) {
      return work.apply(autoCommit(session));
    }
  }

  private static final SessionConfig READS =
      SessionConfig.builder().withDefaultAccessMode(AccessMode.READ).build();

  /** The session as a transaction whose every statement commits on its own (counted). */
  private TransactionContext autoCommit(Session session) {
    return (TransactionContext)
        Proxy.newProxyInstance(
            TransactionContext.class.getClassLoader(),
            new Class<?>[] {TransactionContext.class},
            (proxy, method, args) -> {
              if (method.getDeclaringClass() == Object.class) {
                return method.invoke(session, args);
              }
              if (!method.getName().equals("run")) {
                throw new UnsupportedOperationException(
                    "a read runs statements only, not " + method.getName());
              }
              statements.increment();
              try {
                return method.invoke(session, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}

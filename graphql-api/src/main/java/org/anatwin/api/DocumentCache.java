package org.anatwin.api;

import graphql.ExecutionInput;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Parsed and validated documents by their query text, most recently used kept (at most {@code
 * capacity}): clients send the same few queries with different variables, and parsing and
 * validating one again cost as much as running a small one. Only documents that parsed and
 * validated without error are kept, and only texts up to {@link #MAX_CACHED_CHARS}; the limits on
 * depth, aliases and complexity are checked when the operation runs, so a cached document passes
 * them again every time.
 */
public final class DocumentCache implements PreparsedDocumentProvider {
  public static final int MAX_CACHED_CHARS = 16 * 1024;
  private final Map<String, PreparsedDocumentEntry> entries;

  public DocumentCache(int capacity) {
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, PreparsedDocumentEntry> eldest) {
            return size() > capacity;
          }
        };
  }

  @Override
  public CompletableFuture<PreparsedDocumentEntry> getDocumentAsync(
      ExecutionInput input, Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate) {
    String query = input.getQuery();
    PreparsedDocumentEntry cached;
    synchronized (entries) {
      cached = entries.get(query);
    }
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    PreparsedDocumentEntry entry = parseAndValidate.apply(input);
    if (!entry.hasErrors() && query.length() <= MAX_CACHED_CHARS) {
      synchronized (entries) {
        entries.put(query, entry);
      }
    }
    return CompletableFuture.completedFuture(entry);
  }

  /** Number of documents kept. */
  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}

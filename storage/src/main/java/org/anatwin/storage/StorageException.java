package org.anatwin.storage;

import org.anatwin.model.AnatwinException;

/** Failures of the blob store or the graph, with stable {@code storage:} codes. */
public final class StorageException extends AnatwinException {
  StorageException(String code, String message, Throwable cause) {
    super(code, message, cause);
  }

  StorageException(String code, String message) {
    super(code, message);
  }

  static StorageException io(String what, Throwable cause) {
    return new StorageException("storage:io", what + ": " + cause.getMessage(), cause);
  }
}

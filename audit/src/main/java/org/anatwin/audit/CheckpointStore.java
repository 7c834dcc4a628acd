package org.anatwin.audit;

import java.util.List;

/**
 * Where signed checkpoints go, outside the graph (a file by default), with the key that signs them
 * and the public key that checks them.
 */
public interface CheckpointStore {
  /** Signs and durably stores a checkpoint of the given state; returns it. */
  Checkpoint write(long size, String rootHash, java.time.Instant time);

  /** Every checkpoint stored, oldest first. */
  List<Checkpoint> all();

  /** Whether the checkpoint's signature is this store's key's. */
  boolean verify(Checkpoint checkpoint);
}

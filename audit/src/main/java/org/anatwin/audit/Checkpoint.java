package org.anatwin.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A signed statement of the audit log's state: its size, the Merkle root of its first {@code size}
 * events (hex), when it was made, and an Ed25519 signature (base64) over {@link #signedText()}.
 * Kept outside the graph, checkpoints are what an attacker who rewrites the graph cannot forge.
 */
public record Checkpoint(long size, String rootHash, Instant time, String signature) {
  /** The bytes signed: a versioned line per field. */
  public byte[] signedText() {
    return signedText(size, rootHash, time);
  }

  static byte[] signedText(long size, String rootHash, Instant time) {
    return ("anatwin-audit-checkpoint/v1\n" + size + "\n" + rootHash + "\n" + time + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }
}

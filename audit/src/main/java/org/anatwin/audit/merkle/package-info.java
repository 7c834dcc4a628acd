/**
 * Merkle tree hashing, audit paths and consistency proofs as RFC 6962 and RFC 9162 define them, so
 * the audit log's proofs are checkable by any Certificate Transparency verifier.
 */
@NullMarked
package org.anatwin.audit.merkle;

import org.jspecify.annotations.NullMarked;

/**
 * Embedded Neo4j and the migration runner. No stability promise; used by {@link
 * org.anatwin.storage.Storage} only.
 */
@NullMarked
package org.anatwin.storage.internal;

import org.jspecify.annotations.NullMarked;

/**
 * Where everything is kept: the content-addressed {@link org.anatwin.storage.BlobStore} and the
 * Neo4j {@link org.anatwin.storage.Graph}, embedded by default or an external server when {@code
 * anatwin.neo4j.uri} is set. {@link org.anatwin.storage.Storage} is the entry point; it applies the
 * versioned Cypher migrations at start. {@link org.anatwin.storage.LineageWriter} writes PROV
 * activities in the caller's transaction, so an entity and its lineage commit together.
 */
@NullMarked
package org.anatwin.storage;

import org.jspecify.annotations.NullMarked;

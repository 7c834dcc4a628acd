/**
 * Trust in what happened: the hash-chained {@link org.anatwin.audit.AuditLog} (every mutation and
 * PHI read appends an event; a verification walks the chain) and {@link
 * org.anatwin.audit.Provenance}, which reads the PROV lineage written by every module upstream to
 * the source instances or downstream to everything made from an entity.
 */
@NullMarked
package org.anatwin.audit;

import org.jspecify.annotations.NullMarked;

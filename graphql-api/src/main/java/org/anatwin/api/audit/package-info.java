/**
 * GraphQL of lineage and the audit trail, backed by {@link org.anatwin.audit.Provenance} and {@link
 * org.anatwin.audit.AuditLog}.
 */
@NullMarked
package org.anatwin.api.audit;

import org.jspecify.annotations.NullMarked;

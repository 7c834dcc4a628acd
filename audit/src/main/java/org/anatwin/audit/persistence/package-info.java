/** All Cypher of the audit trail and of lineage reads. */
@NullMarked
package org.anatwin.audit.persistence;

import org.jspecify.annotations.NullMarked;

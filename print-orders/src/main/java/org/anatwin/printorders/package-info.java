/**
 * Print orders from mesh to printed artefact: an order's state is the fold of its append-only
 * events (submitted, approved or rejected, prepared, queued, printing, printed); approval with a
 * signature manifestation and separation of duties; a QA gate before preparation; printer drivers;
 * artefacts with serial numbers, each traced in lineage to the meshes, the order and the approval.
 * {@link org.anatwin.printorders.PrintOrders} is the entry point.
 */
@NullMarked
package org.anatwin.printorders;

import org.jspecify.annotations.NullMarked;

/** All Cypher of orders, their events, jobs, artefacts and printers. */
@NullMarked
package org.anatwin.printorders.persistence;

import org.jspecify.annotations.NullMarked;

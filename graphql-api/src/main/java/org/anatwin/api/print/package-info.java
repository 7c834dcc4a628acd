/**
 * GraphQL of print orders, jobs, artefacts and printers, backed by {@link
 * org.anatwin.printorders.PrintOrders}.
 */
@NullMarked
package org.anatwin.api.print;

import org.jspecify.annotations.NullMarked;

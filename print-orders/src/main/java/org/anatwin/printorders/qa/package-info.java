/**
 * QA of a printed part: its surface scan registered to the design and measured against it, pass or
 * fail against the tolerance of its intended use.
 */
@NullMarked
package org.anatwin.printorders.qa;

import org.jspecify.annotations.NullMarked;

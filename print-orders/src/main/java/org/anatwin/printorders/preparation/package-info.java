/**
 * Print preparation: orientation chosen to minimise support area and height, placement on the bed,
 * slicing by CuraEngine run as a separate process, and the 3MF job package.
 */
@NullMarked
package org.anatwin.printorders.preparation;

import org.jspecify.annotations.NullMarked;

/**
 * Printer drivers. The built-in simulated printer writes each job to a folder (the meshes as STL
 * and a job description), the way a hot folder of a real print server receives it.
 */
@NullMarked
package org.anatwin.printorders.printer;

import org.jspecify.annotations.NullMarked;

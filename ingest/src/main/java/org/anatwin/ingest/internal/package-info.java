/** Parsing, volume assembly and the synthetic phantom; no stability promise. */
@NullMarked
package org.anatwin.ingest.internal;

import org.jspecify.annotations.NullMarked;

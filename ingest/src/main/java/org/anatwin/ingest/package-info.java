/**
 * DICOM in: folder import today (C-STORE SCP and STOW-RS follow), parsing with PixelMed, idempotent
 * storage of instances as content-addressed blobs with {@code Patient}, {@code Study}, {@code
 * Series} and {@code Instance} nodes, and assembly of a series into a {@link
 * org.anatwin.model.Volume}. {@link org.anatwin.ingest.Ingest} is the entry point.
 */
@NullMarked
package org.anatwin.ingest;

import org.jspecify.annotations.NullMarked;

/**
 * DICOMweb (PS3.18): STOW-RS at {@code POST /dicomweb/studies}. The only package of the ingest
 * module that knows HTTP; it hands every part to {@link org.anatwin.ingest.Ingest#receive}.
 */
@NullMarked
package org.anatwin.ingest.dicomweb;

import org.jspecify.annotations.NullMarked;

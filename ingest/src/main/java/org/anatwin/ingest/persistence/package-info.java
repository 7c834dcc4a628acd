/** All Cypher of the DICOM hierarchy (Patient, Study, Series, Instance) in one place. */
@NullMarked
package org.anatwin.ingest.persistence;

import org.jspecify.annotations.NullMarked;

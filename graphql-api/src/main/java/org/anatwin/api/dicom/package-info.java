/**
 * GraphQL of patients, studies, series and DICOM import (GraphQL and REST), backed by {@link
 * org.anatwin.ingest.Ingest}.
 */
@NullMarked
package org.anatwin.api.dicom;

import org.jspecify.annotations.NullMarked;

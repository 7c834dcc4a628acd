package org.anatwin.versioning;

import java.time.Instant;
import org.anatwin.model.PatientKey;
import org.anatwin.model.TwinId;

/** A patient's twin: one per patient, holding its versions. */
public record Twin(TwinId id, PatientKey patient, int versionCount, Instant createdAt) {}

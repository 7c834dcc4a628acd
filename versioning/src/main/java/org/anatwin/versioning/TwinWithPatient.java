package org.anatwin.versioning;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A twin and its patient node's properties, read in one statement (null when the patient node is
 * missing). PHI: whoever shows them applies the reader's role, as for any patient read.
 */
public record TwinWithPatient(Twin twin, @Nullable Map<String, Object> patient) {}

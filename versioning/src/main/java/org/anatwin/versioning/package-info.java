/**
 * Twins and their immutable versions: building a version from a stored series (volume, threshold
 * segmentation, surface per structure), persisting structures and meshes with their lineage, and
 * reading them back. {@link org.anatwin.versioning.Twins} is the entry point.
 */
@NullMarked
package org.anatwin.versioning;

import org.jspecify.annotations.NullMarked;

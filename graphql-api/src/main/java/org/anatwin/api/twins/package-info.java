/**
 * GraphQL of twins, versions and meshes, and mesh downloads, backed by {@link
 * org.anatwin.versioning.Twins}.
 */
@NullMarked
package org.anatwin.api.twins;

import org.jspecify.annotations.NullMarked;

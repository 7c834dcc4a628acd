/** All Cypher of twins, versions, structures and meshes. */
@NullMarked
package org.anatwin.versioning.persistence;

import org.jspecify.annotations.NullMarked;

/**
 * VTK pipelines and mesh arithmetic behind {@link org.anatwin.modeling.Modeling}; no stability
 * promise.
 */
@NullMarked
package org.anatwin.modeling.internal;

import org.jspecify.annotations.NullMarked;

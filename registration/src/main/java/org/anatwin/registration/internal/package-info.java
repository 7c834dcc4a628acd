/**
 * Internals of the registration module (ICP, k-d tree, principal axes, small eigen-solver); other
 * modules use {@link org.anatwin.registration.Registrations}.
 */
@NullMarked
package org.anatwin.registration.internal;

import org.jspecify.annotations.NullMarked;

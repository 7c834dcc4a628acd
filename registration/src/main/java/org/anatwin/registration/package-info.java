/**
 * Rigid registration in patient coordinates. Today: paired landmarks by Horn's closed-form
 * quaternion method. Surface ICP comes with the registration issue. {@link
 * org.anatwin.registration.Registrations} is the entry point; results are Commons Geometry types.
 */
@NullMarked
package org.anatwin.registration;

import org.jspecify.annotations.NullMarked;

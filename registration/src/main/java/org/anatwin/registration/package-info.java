/**
 * Rigid registration in patient coordinates: paired landmarks by Horn's closed-form quaternion
 * method, and surfaces by point-to-plane ICP (k-d tree, robust trimming, coarse to fine, identity
 * or principal-axes starts). {@link org.anatwin.registration.Registrations} is the entry point;
 * results are Commons Geometry types.
 */
@NullMarked
package org.anatwin.registration;

import org.jspecify.annotations.NullMarked;

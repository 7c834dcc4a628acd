/**
 * The Spring Boot assembly: wires the modules' entry points as beans ({@link
 * org.anatwin.app.CoreConfiguration}), secures the API and runs the embedded OIDC issuer with one
 * demo client per role ({@link org.anatwin.app.SecurityConfiguration}), loads the demo twin on an
 * empty store ({@link org.anatwin.app.DemoData}). {@link org.anatwin.app.AnatwinApplication} is the
 * entry point.
 */
@NullMarked
package org.anatwin.app;

import org.jspecify.annotations.NullMarked;

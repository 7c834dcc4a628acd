/**
 * The domain vocabulary every module speaks: typed identifiers, the {@link
 * org.anatwin.model.Volume} and {@link org.anatwin.model.TriangleMesh} values, lineage words (W3C
 * PROV) and the ports through which modules meet ({@link org.anatwin.model.VolumeSource}, {@link
 * org.anatwin.model.LineageRecorder}, {@link org.anatwin.model.AuditSink}).
 *
 * <p>Object creation: identifiers are built with {@code of(..)} and checked in their compact
 * constructors; derived identifiers come from {@link org.anatwin.model.DerivedIds}, which hashes a
 * derivation's inputs, algorithm, version and parameters so that re-running it gives the same id.
 */
@NullMarked
package org.anatwin.model;

import org.jspecify.annotations.NullMarked;

package org.anatwin.modeling;

import org.anatwin.model.TriangleMesh;

/**
 * A mesh read from a file made elsewhere, in millimetres: the format it was read as, the unit the
 * file declared ({@code unspecified} for STL, OBJ and PLY, which carry none) and the factor that
 * was applied to reach millimetres.
 */
public record ImportedMesh(TriangleMesh mesh, String format, String unit, double toMillimetres) {}

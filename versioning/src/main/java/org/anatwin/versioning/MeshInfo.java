package org.anatwin.versioning;

import org.anatwin.model.ContentHash;
import org.anatwin.model.MeshId;

/**
 * A stored mesh: id, the structure it shows, the SHA-256 of its STL, the frame of reference it
 * lives in, and its QA figures (mm, mm², mm³): {@code selfIntersections} is -1 and {@code
 * wallThicknessMm} NaN for meshes stored before they were measured.
 */
public record MeshInfo(
    MeshId id,
    String structure,
    ContentHash sha256,
    String frameOfReferenceUid,
    int vertices,
    int triangles,
    double volume,
    double area,
    double[] bounds,
    boolean watertight,
    boolean manifold,
    int shells,
    long selfIntersections,
    long eulerCharacteristic,
    double wallThicknessMm,
    String algorithm) {}

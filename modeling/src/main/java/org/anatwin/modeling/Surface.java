package org.anatwin.modeling;

import java.util.Map;
import org.anatwin.model.FrameOfReferenceUid;
import org.anatwin.model.TriangleMesh;

/**
 * A closed surface made from a label map or a volume ({@code labelMapId} names either): the mesh in
 * patient coordinates, the frame of reference it lives in, how it was made (for lineage), its QA
 * report and the repairs made to it. {@code id} is derived from the source, the algorithm, its
 * version and parameters.
 */
public record Surface(
    String id,
    String labelMapId,
    FrameOfReferenceUid frameOfReference,
    TriangleMesh mesh,
    String algorithm,
    String algorithmVersion,
    Map<String, String> parameters,
    MeshReport report,
    java.util.List<String> repairs) {

  public Surface {
    parameters = Map.copyOf(parameters);
    repairs = java.util.List.copyOf(repairs);
  }
}

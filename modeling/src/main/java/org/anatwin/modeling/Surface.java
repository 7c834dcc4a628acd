package org.anatwin.modeling;

import java.util.Map;
import org.anatwin.model.FrameOfReferenceUid;
import org.anatwin.model.TriangleMesh;

/**
 * A closed surface made from a label map: the mesh in patient coordinates, the frame of reference
 * it lives in, how it was made (for lineage) and its QA report. {@code id} is derived from the
 * label map, the algorithm, its version and parameters.
 */
public record Surface(
    String id,
    String labelMapId,
    FrameOfReferenceUid frameOfReference,
    TriangleMesh mesh,
    String algorithm,
    String algorithmVersion,
    Map<String, String> parameters,
    MeshReport report) {

  public Surface {
    parameters = Map.copyOf(parameters);
  }
}

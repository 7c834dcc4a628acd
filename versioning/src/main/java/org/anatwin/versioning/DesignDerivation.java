package org.anatwin.versioning;

import java.util.Map;
import org.anatwin.model.ContentHash;
import org.anatwin.model.Derivation;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.ImportedMesh;
import org.anatwin.modeling.Modeling;
import org.anatwin.storage.Storage;
import org.jspecify.annotations.Nullable;

/**
 * Re-runs the upload of a design as it was stored: the uploaded file read back from the blob its
 * recorded hash names, read in the recorded format, brought to millimetres by the recorded unit,
 * placed by the recorded transform and (from version 2) repaired; the STL of the result is compared
 * with the mesh's recorded hash.
 */
public final class DesignDerivation implements Derivation {
  private final Storage storage;

  public DesignDerivation(Storage storage) {
    this.storage = storage;
  }

  @Override
  public boolean reruns(String algorithm, String version) {
    return algorithm.equals(TwinPlans.DESIGN_UPLOAD)
        && (version.equals("1") || version.equals(TwinPlans.DESIGN_UPLOAD_VERSION));
  }

  @Override
  public Map<String, Output> rerun(Recorded activity, Inputs inputs) {
    byte[] upload = storage.blobs().get(ContentHash.parse(activity.parameter("uploadSha256")));
    ImportedMesh imported =
        Modeling.importMesh(upload, activity.parameter("format"), TwinPlans.MAX_DESIGN_TRIANGLES);
    double scale = 1.0;
    if (imported.unitless()) {
      Double unit = TwinPlans.UNITS.get(activity.parameter("unit"));
      if (unit == null) {
        throw new VersioningException(
            "versioning:derivation.parameter",
            "activity "
                + activity.id()
                + " recorded an unknown unit "
                + activity.parameter("unit"));
      }
      scale = unit;
    }
    TriangleMesh mesh =
        TwinPlans.place(imported.mesh(), scale, transform(activity, activity.parameters()));
    if (!activity.algorithmVersion().equals("1")) {
      mesh = Modeling.repair(mesh).mesh();
    }
    String stl = ContentHash.of(Modeling.toStl(mesh)).hex();
    return Map.of(activity.generated().getFirst(), new Output(Map.of("sha256", stl), mesh));
  }

  /** The recorded transform ({@code [m0, m1, ..., m11]}), or null when none was given. */
  private static double @Nullable [] transform(Recorded activity, Map<String, String> parameters) {
    String text = parameters.get("transform");
    if (text == null) {
      return null;
    }
    String[] parts = text.replace("[", "").replace("]", "").split(",");
    double[] m = new double[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) {
        m[i] = Double.parseDouble(parts[i].strip());
      }
    } catch (NumberFormatException e) {
      throw new VersioningException(
          "versioning:derivation.parameter",
          "activity " + activity.id() + " recorded an unreadable transform " + text);
    }
    return m;
  }
}

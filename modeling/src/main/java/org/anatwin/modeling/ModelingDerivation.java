package org.anatwin.modeling;

import java.util.Map;
import org.anatwin.model.ContentHash;
import org.anatwin.model.Derivation;
import org.anatwin.model.Volume;

/**
 * Re-runs the modeling activities a twin version records: the threshold segmentation of a volume,
 * the iso-surface within it, and the surface of a label map (a model's segmentation). Parameters
 * are read back from the recorded activity, so a changed parameter gives a changed label map or
 * mesh and its hash no longer matches the recorded one.
 */
public final class ModelingDerivation implements Derivation {
  private static final String KEEP = "largest 6-connected object";

  @Override
  public boolean reruns(String algorithm, String version) {
    return (algorithm.equals(Modeling.THRESHOLD) && version.equals(Modeling.THRESHOLD_VERSION))
        || (algorithm.equals(Modeling.ISO_SURFACE) && version.equals(Modeling.ISO_SURFACE_VERSION))
        || (algorithm.equals(Modeling.SURFACE) && version.equals(Modeling.SURFACE_VERSION));
  }

  @Override
  public Map<String, Output> rerun(Recorded activity, Inputs inputs) {
    String generated = activity.generated().getFirst();
    if (activity.algorithm().equals(Modeling.THRESHOLD)) {
      if (!KEEP.equals(activity.parameter("keep"))) {
        throw new ModelingException(
            "modeling:derivation.parameter",
            "threshold keeps '" + activity.parameter("keep") + "', this version keeps " + KEEP);
      }
      LabelMap labels =
          Modeling.createThresholdLabelMap(
              input(activity, inputs, Volume.class),
              integer(activity, "minimumHu"),
              integer(activity, "maximumHu"));
      return Map.of(generated, new Output(Map.of("sha256", labels.contentHash().hex()), labels));
    }
    if (activity.algorithm().equals(Modeling.SURFACE)) {
      LabelMap labels = input(activity, inputs, LabelMap.class);
      Surface surface =
          Modeling.createSurface(
              labels, org.anatwin.model.FrameOfReferenceUid.of(frameOf(activity, inputs)));
      if (!surface.parameters().equals(activity.parameters())) {
        throw new ModelingException(
            "modeling:derivation.parameter",
            "the label-map surface was made with "
                + activity.parameters()
                + ", this version makes it with "
                + surface.parameters());
      }
      String stl = ContentHash.of(Modeling.toStl(surface.mesh())).hex();
      return Map.of(generated, new Output(Map.of("sha256", stl), surface));
    }
    Surface surface =
        Modeling.createIsoSurface(
            input(activity, inputs, Volume.class),
            input(activity, inputs, LabelMap.class),
            number(activity, "isoHu"),
            integer(activity, "smoothingIterations"));
    String stl = ContentHash.of(Modeling.toStl(surface.mesh())).hex();
    return Map.of(generated, new Output(Map.of("sha256", stl), surface));
  }

  /** The frame of reference the generated mesh was recorded in (it does not enter its hash). */
  private static String frameOf(Recorded activity, Inputs inputs) {
    String frame = inputs.properties(activity.generated().getFirst()).get("frameOfReferenceUid");
    if (frame == null || frame.isBlank()) {
      throw new ModelingException(
          "modeling:derivation.input",
          "mesh " + activity.generated().getFirst() + " records no frame of reference");
    }
    return frame;
  }

  /** The one used entity re-derived as a {@code type}. */
  private static <T> T input(Recorded activity, Inputs inputs, Class<T> type) {
    for (String used : activity.used()) {
      if (type.isInstance(inputs.value(used))) {
        return type.cast(inputs.value(used));
      }
    }
    throw new ModelingException(
        "modeling:derivation.input",
        "activity "
            + activity.id()
            + " ("
            + activity.algorithm()
            + ") used no re-derived "
            + type.getSimpleName());
  }

  private static int integer(Recorded activity, String name) {
    try {
      return Integer.parseInt(activity.parameter(name));
    } catch (NumberFormatException e) {
      throw unreadable(activity, name);
    }
  }

  private static double number(Recorded activity, String name) {
    try {
      return Double.parseDouble(activity.parameter(name));
    } catch (NumberFormatException e) {
      throw unreadable(activity, name);
    }
  }

  private static ModelingException unreadable(Recorded activity, String name) {
    return new ModelingException(
        "modeling:derivation.parameter",
        "activity "
            + activity.id()
            + " recorded "
            + name
            + " = '"
            + activity.parameter(name)
            + "', not a number");
  }
}

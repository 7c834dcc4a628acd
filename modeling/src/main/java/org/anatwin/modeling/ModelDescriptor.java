package org.anatwin.modeling;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a segmentation model expects and produces, shipped beside its ONNX file as JSON:
 *
 * <pre>{@code
 * {"name": "anatwin-bone", "version": "1", "modality": "CT", "bodyParts": [],
 *  "orientation": "AXIAL", "spacing": [0.5, 0.5, 1.0], "spacingTolerance": 0.6,
 *  "minimumSize": [32, 32, 8],
 *  "normalisation": {"type": "CLIP_SCALE", "lower": -1024, "upper": 3071},
 *  "patch": [96, 96, 48], "overlap": 0.125, "batch": 2, "input": "image", "output": "logits",
 *  "labels": [{"value": 1, "name": "bone", "keepLargest": false,
 *              "code": {"scheme": "SCT", "value": "272673000", "meaning": "Bone structure"}}]}
 * }</pre>
 *
 * Spacing, patch and sizes are x, y, z (along a row, down a column, between slices), millimetres
 * and voxels. A series whose spacing differs from the model's by more than {@code spacingTolerance}
 * (relative, on any axis) is resampled to the model's spacing and the result back to the series'
 * grid; within it, the model runs on the series' own grid. {@code bodyParts} empty means any. The
 * model's output has one channel per label plus background (channel 0), argmax decides.
 */
public record ModelDescriptor(
    String name,
    String version,
    String modality,
    List<String> bodyParts,
    String orientation,
    double[] spacing,
    double spacingTolerance,
    int[] minimumSize,
    Normalisation normalisation,
    int[] patch,
    double overlap,
    int batch,
    String input,
    String output,
    List<Label> labels) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.+-]{0,39}");
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** Intensities in: values clipped to [lower, upper] and scaled to [0, 1]. */
  public record Normalisation(String type, double lower, double upper) {
    /** The network's input for a stored value. */
    public float apply(double value) {
      double clipped = Math.min(upper, Math.max(lower, value));
      return (float) ((clipped - lower) / (upper - lower));
    }
  }

  /** A coded concept (DICOM code sequence item: scheme designator, value, meaning). */
  public record Code(String scheme, String value, String meaning) {}

  /** One output label: its value, a structure name, its code, keep only its largest object. */
  public record Label(int value, String name, @Nullable Code code, boolean keepLargest) {}

  /** Parses and checks a descriptor; refused with {@code modeling:model.descriptor}. */
  public static ModelDescriptor parse(byte[] json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw invalid("is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw invalid("is not a JSON object");
    }
    JsonNode norm = required(root, "normalisation");
    Normalisation normalisation =
        new Normalisation(text(norm, "type"), number(norm, "lower"), number(norm, "upper"));
    if (!normalisation.type().equals("CLIP_SCALE")
        || !(normalisation.upper() > normalisation.lower())) {
      throw invalid("normalisation must be CLIP_SCALE with lower < upper");
    }
    List<Label> labels = new ArrayList<>();
    for (JsonNode l : array(root, "labels")) {
      JsonNode c = l.get("code");
      Code code =
          c == null || c.isNull()
              ? null
              : new Code(text(c, "scheme"), text(c, "value"), text(c, "meaning"));
      labels.add(
          new Label(
              (int) number(l, "value"),
              text(l, "name"),
              code,
              l.has("keepLargest") && l.get("keepLargest").asBoolean()));
    }
    List<String> bodyParts = new ArrayList<>();
    if (root.has("bodyParts")) {
      for (JsonNode b : array(root, "bodyParts")) {
        bodyParts.add(b.asString().toUpperCase(Locale.ROOT));
      }
    }
    ModelDescriptor d =
        new ModelDescriptor(
            text(root, "name"),
            text(root, "version"),
            text(root, "modality"),
            List.copyOf(bodyParts),
            text(root, "orientation"),
            triple(root, "spacing"),
            number(root, "spacingTolerance"),
            toInts(triple(root, "minimumSize")),
            normalisation,
            toInts(triple(root, "patch")),
            number(root, "overlap"),
            (int) number(root, "batch"),
            text(root, "input"),
            text(root, "output"),
            List.copyOf(labels));
    d.check();
    return d;
  }

  private void check() {
    if (!NAME.matcher(name).matches()) {
      throw invalid("name must be lower-case words with dashes: '" + name + "'");
    }
    if (!VERSION.matcher(version).matches()) {
      throw invalid("version must be letters, digits, dots, plus or dashes: '" + version + "'");
    }
    if (!orientation.equals("AXIAL") && !orientation.equals("ANY")) {
      throw invalid("orientation must be AXIAL or ANY");
    }
    for (int i = 0; i < 3; i++) {
      if (!(spacing[i] > 0) || patch[i] < 1 || minimumSize[i] < 1) {
        throw invalid("spacing, patch and minimumSize must be positive");
      }
    }
    if (!(spacingTolerance >= 0) || !(overlap >= 0 && overlap < 1) || batch < 1 || batch > 64) {
      throw invalid("spacingTolerance >= 0, 0 <= overlap < 1 and 1 <= batch <= 64");
    }
    if (labels.isEmpty() || labels.size() > 254) {
      throw invalid("a model has 1 to 254 labels");
    }
    var values = new HashSet<Integer>();
    var names = new HashSet<String>();
    for (Label l : labels) {
      if (l.value() < 1 || l.value() > labels.size() || !values.add(l.value())) {
        throw invalid("label values are 1..N (the output channel), each once");
      }
      if (!NAME.matcher(l.name()).matches() || !names.add(l.name())) {
        throw invalid("label names are distinct lower-case words with dashes: '" + l.name() + "'");
      }
    }
  }

  /** {@code name@version}: how the registry and the lineage name a model. */
  public String key() {
    return name + "@" + version;
  }

  private static ModelingException invalid(String message) {
    return new ModelingException("modeling:model.descriptor", "the model descriptor " + message);
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw invalid("lacks '" + field + "'");
    }
    return value;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = required(node, field);
    if (!value.isString() || value.asString().isBlank()) {
      throw invalid("field '" + field + "' must be a non-empty string");
    }
    return value.asString();
  }

  private static double number(JsonNode node, String field) {
    JsonNode value = required(node, field);
    if (!value.isNumber()) {
      throw invalid("field '" + field + "' must be a number");
    }
    return value.asDouble();
  }

  private static JsonNode array(JsonNode node, String field) {
    JsonNode value = required(node, field);
    if (!value.isArray()) {
      throw invalid("field '" + field + "' must be an array");
    }
    return value;
  }

  private static double[] triple(JsonNode node, String field) {
    JsonNode value = array(node, field);
    if (value.size() != 3) {
      throw invalid("field '" + field + "' must hold three numbers (x, y, z)");
    }
    double[] out = new double[3];
    for (int i = 0; i < 3; i++) {
      if (!value.get(i).isNumber()) {
        throw invalid("field '" + field + "' must hold three numbers (x, y, z)");
      }
      out[i] = value.get(i).asDouble();
    }
    return out;
  }

  private static int[] toInts(double[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      if (values[i] != Math.rint(values[i])) {
        throw invalid("sizes must be whole numbers of voxels");
      }
      out[i] = (int) values[i];
    }
    return out;
  }
}

package org.anatwin.modeling;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.anatwin.model.ContentHash;
import org.anatwin.model.DerivedIds;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeGeometry;
import org.anatwin.modeling.internal.Components;
import org.anatwin.modeling.internal.SlidingWindow;
import org.apache.commons.geometry.euclidean.threed.Vector3D;

/**
 * A segmentation network (ONNX) with its {@link ModelDescriptor}, loaded into ONNX Runtime on the
 * CPU with a fixed number of threads, so the same series gives the same labels every time. Loading
 * checks the model against its descriptor (input and output names, element type, rank, channels,
 * fixed patch dimensions); a file ONNX Runtime cannot read is refused with {@code
 * modeling:model.onnx}. The model's identity is the SHA-256 of its ONNX bytes, recorded in every
 * label map it makes.
 */
public final class SegmentationModel implements AutoCloseable {
  public static final String ALGORITHM = "anatwin.segmentation.onnx";
  public static final String ALGORITHM_VERSION = "1 (ONNX Runtime 1.24, sliding window)";

  /** The model shipped with Anatwin (bone on CT), trained by {@code models/bone-seg/train.py}. */
  public static final String BUNDLED = "anatwin-bone-1";

  private final ModelDescriptor descriptor;
  private final ContentHash onnxHash;
  private final ContentHash descriptorHash;
  private final OrtSession.SessionOptions options;
  private final OrtSession session;
  private final int threads;

  private SegmentationModel(
      ModelDescriptor descriptor,
      ContentHash onnxHash,
      ContentHash descriptorHash,
      OrtSession.SessionOptions options,
      OrtSession session,
      int threads) {
    this.descriptor = descriptor;
    this.onnxHash = onnxHash;
    this.descriptorHash = descriptorHash;
    this.options = options;
    this.session = session;
    this.threads = threads;
  }

  /**
   * Loads and checks a model from its ONNX file and its descriptor (JSON, see {@link
   * ModelDescriptor}); {@code threads} is ONNX Runtime's intra-op thread count (fixed, so results
   * do not depend on the machine's load).
   */
  public static SegmentationModel load(byte[] onnx, byte[] descriptorJson, int threads) {
    ModelDescriptor descriptor = ModelDescriptor.parse(descriptorJson);
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be positive");
    }
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    OrtSession session;
    try {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = environment.createSession(onnx, options);
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw new ModelingException(
          "modeling:model.onnx", "ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
    try {
      check(session, descriptor);
    } catch (OrtException | RuntimeException e) {
      closeQuietly(session, options);
      if (e instanceof ModelingException refusal) {
        throw refusal;
      }
      throw new ModelingException(
          "modeling:model.onnx", "the model's inputs and outputs cannot be read", e);
    }
    return new SegmentationModel(
        descriptor,
        ContentHash.of(onnx),
        ContentHash.of(descriptorJson),
        options,
        session,
        threads);
  }

  /** The ONNX file of the shipped model. */
  public static byte[] bundledOnnx() {
    return resource(BUNDLED + ".onnx");
  }

  /** The descriptor (JSON) of the shipped model. */
  public static byte[] bundledDescriptor() {
    return resource(BUNDLED + ".json");
  }

  private static byte[] resource(String name) {
    try (var in = SegmentationModel.class.getResourceAsStream("models/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the shipped model file " + name + " is missing");
      }
      return in.readAllBytes();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void check(OrtSession session, ModelDescriptor d) throws OrtException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    if (inputs.size() != 1 || !inputs.containsKey(d.input())) {
      throw mismatch(
          "the model's inputs are "
              + inputs.keySet()
              + ", the descriptor names '"
              + d.input()
              + "'");
    }
    if (!outputs.containsKey(d.output())) {
      throw mismatch(
          "the model's outputs are "
              + outputs.keySet()
              + ", the descriptor names '"
              + d.output()
              + "'");
    }
    long[] in = shape(inputs.get(d.input()), "input");
    long[] out = shape(outputs.get(d.output()), "output");
    // [batch, channels, z, y, x]; -1 for a dimension the model leaves open
    long[] expectedIn = {-1, 1, d.patch()[2], d.patch()[1], d.patch()[0]};
    long[] expectedOut = {-1, d.labels().size() + 1, d.patch()[2], d.patch()[1], d.patch()[0]};
    if (!fits(in, expectedIn) || !fits(out, expectedOut)) {
      throw mismatch(
          String.format(
              Locale.ROOT,
              "the model's input %s and output %s do not fit the descriptor's patch %dx%dx%d"
                  + " with %d labels plus background (expected [batch, 1, z, y, x] in and"
                  + " [batch, %d, z, y, x] out)",
              java.util.Arrays.toString(in),
              java.util.Arrays.toString(out),
              d.patch()[0],
              d.patch()[1],
              d.patch()[2],
              d.labels().size(),
              d.labels().size() + 1));
    }
  }

  private static long[] shape(NodeInfo node, String what) {
    if (!(node.getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT) {
      throw mismatch("the model's " + what + " is not a float tensor");
    }
    return tensor.getShape();
  }

  private static boolean fits(long[] actual, long[] expected) {
    if (actual.length != expected.length) {
      return false;
    }
    for (int i = 0; i < actual.length; i++) {
      if (actual[i] >= 0 && expected[i] >= 0 && actual[i] != expected[i]) {
        return false;
      }
    }
    return true;
  }

  private static ModelingException mismatch(String message) {
    return new ModelingException("modeling:model.shape", message);
  }

  public ModelDescriptor descriptor() {
    return descriptor;
  }

  /** SHA-256 of the ONNX file. */
  public ContentHash onnxHash() {
    return onnxHash;
  }

  /** SHA-256 of the descriptor's JSON. */
  public ContentHash descriptorHash() {
    return descriptorHash;
  }

  /** One label of the model on the series' grid. */
  public record Segment(ModelDescriptor.Label label, LabelMap labelMap) {}

  /**
   * Refuses a series the model was not made for: another modality ({@code
   * modeling:model.modality}), a body part the descriptor does not list ({@code
   * modeling:model.body-part}), slices that are not axial for an axial model ({@code
   * modeling:model.orientation}), fewer voxels along an axis than the descriptor's minimum ({@code
   * modeling:model.dimensions}).
   */
  public void requireSuited(VolumeGeometry g, String modality, String bodyPart) {
    ModelDescriptor d = descriptor;
    if (!d.modality().equalsIgnoreCase(modality)) {
      throw new ModelingException(
          "modeling:model.modality",
          "model " + d.key() + " segments " + d.modality() + ", the series is " + modality);
    }
    if (!d.bodyParts().isEmpty() && !d.bodyParts().contains(bodyPart.toUpperCase(Locale.ROOT))) {
      throw new ModelingException(
          "modeling:model.body-part",
          "model "
              + d.key()
              + " segments "
              + d.bodyParts()
              + ", the series shows '"
              + bodyPart
              + "'");
    }
    if (d.orientation().equals("AXIAL")
        && Math.abs(g.slice().dot(Vector3D.Unit.PLUS_Z)) < Math.cos(Math.toRadians(30))) {
      throw new ModelingException(
          "modeling:model.orientation",
          "model " + d.key() + " segments axial slices; the slice normal is " + g.slice());
    }
    int[] size = {g.nx(), g.ny(), g.nz()};
    for (int i = 0; i < 3; i++) {
      if (size[i] < d.minimumSize()[i]) {
        throw new ModelingException(
            "modeling:model.dimensions",
            String.format(
                Locale.ROOT,
                "model %s needs at least %dx%dx%d voxels, the series has %dx%dx%d",
                d.key(),
                d.minimumSize()[0],
                d.minimumSize()[1],
                d.minimumSize()[2],
                g.nx(),
                g.ny(),
                g.nz()));
      }
    }
  }

  /**
   * Segments a volume: one label map per label of the model, each on the volume's grid, derived
   * from the volume with the model's hash and name among its parameters. Checks {@link
   * #requireSuited} first. A label the model finds nowhere gives no label map.
   */
  public List<Segment> segment(Volume volume, String modality, String bodyPart) {
    VolumeGeometry g = volume.geometry();
    requireSuited(g, modality, bodyPart);
    SlidingWindow.Result result;
    try {
      result = SlidingWindow.run(session, descriptor, g, volume.voxels());
    } catch (OrtException e) {
      throw new ModelingException(
          "modeling:model.inference", "ONNX Runtime failed on " + volume.id() + ": " + e, e);
    }
    List<Segment> segments = new ArrayList<>();
    for (ModelDescriptor.Label label : descriptor.labels()) {
      byte[] labels = new byte[result.labels().length];
      long count = 0;
      for (int i = 0; i < labels.length; i++) {
        if (result.labels()[i] == label.value()) {
          labels[i] = 1;
          count++;
        }
      }
      if (count == 0) {
        continue;
      }
      if (label.keepLargest()) {
        labels = Components.keepLargest(g, labels);
        count = 0;
        for (byte b : labels) {
          count += b;
        }
      }
      Map<String, String> parameters = parameters(label, result, modality, bodyPart);
      segments.add(
          new Segment(
              label,
              new LabelMap(
                  DerivedIds.createId(
                      "labelmap", volume.id(), ALGORITHM, ALGORITHM_VERSION, parameters),
                  volume.id(),
                  g,
                  labels,
                  ALGORITHM,
                  ALGORITHM_VERSION,
                  parameters,
                  count)));
    }
    return segments;
  }

  private Map<String, String> parameters(
      ModelDescriptor.Label label, SlidingWindow.Result r, String modality, String bodyPart) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("modality", modality);
    p.put("bodyPart", bodyPart);
    p.put("model", descriptor.key());
    p.put("modelSha256", onnxHash.hex());
    p.put("descriptorSha256", descriptorHash.hex());
    p.put("label", label.value() + " " + label.name());
    if (label.code() != null) {
      p.put(
          "labelCode",
          label.code().scheme() + " " + label.code().value() + " " + label.code().meaning());
    }
    p.put("keepLargest", Boolean.toString(label.keepLargest()));
    p.put(
        "resampledTo",
        r.resampled()
            ? String.format(
                Locale.ROOT, "%sx%sx%s mm", r.spacing()[0], r.spacing()[1], r.spacing()[2])
            : "none (series spacing within tolerance)");
    p.put(
        "patch", descriptor.patch()[0] + "x" + descriptor.patch()[1] + "x" + descriptor.patch()[2]);
    p.put("overlap", Double.toString(descriptor.overlap()));
    p.put("blending", "gaussian sigma=patch/8, softmax probabilities");
    p.put("threads", Integer.toString(threads));
    return p;
  }

  @Override
  public void close() {
    closeQuietly(session, options);
  }

  private static void closeQuietly(OrtSession session, OrtSession.SessionOptions options) {
    try {
      session.close();
    } catch (OrtException e) {
      // nothing is left to release when closing fails
    } finally {
      options.close();
    }
  }
}

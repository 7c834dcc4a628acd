package org.anatwin.modeling.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import org.anatwin.model.VolumeGeometry;
import org.anatwin.modeling.ModelDescriptor;

/**
 * Sliding-window inference of a segmentation network over a volume, in the manner of nnU-Net and
 * MONAI: the volume is resampled (trilinear) to the model's spacing when the series' spacing is
 * outside the descriptor's tolerance, normalised, cut into overlapping patches, run through the
 * network a batch at a time; the softmax probabilities of overlapping patches are blended with a
 * Gaussian weight (sigma one eighth of the patch, so patch borders count least), and the argmax is
 * taken on the series' own grid (trilinear interpolation of the blended probabilities when the
 * model ran on another grid).
 *
 * <p>Memory is bounded by the patches in flight, not by the volume: patches are built from the
 * stored voxels on demand, and the blended probabilities are kept only for the slabs of slices that
 * windows still overlap; each slab is turned into labels and dropped as soon as no later window
 * touches it. Everything runs in one fixed order, so the same input gives the same labels.
 */
public final class SlidingWindow {
  private SlidingWindow() {}

  /**
   * The label of every voxel on the series' grid (0 background, else the output channel), whether
   * the model ran on a resampled grid, and that grid's spacing (x, y, z, mm).
   */
  public record Result(byte[] labels, boolean resampled, double[] spacing) {}

  public static Result run(OrtSession session, ModelDescriptor d, VolumeGeometry g, short[] voxels)
      throws OrtException {
    return new Run(session, d, g, voxels).run();
  }

  /** Evenly spaced window starts along an axis of {@code size} voxels, the last at the end. */
  static int[] starts(int size, int patch, double overlap) {
    if (size <= patch) {
      return new int[] {0};
    }
    int step = Math.max(1, (int) Math.floor(patch * (1 - overlap)));
    int count = (int) Math.ceil((double) (size - patch) / step) + 1;
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = (int) Math.round((double) i * (size - patch) / (count - 1));
    }
    return out;
  }

  static float[] gaussian(int patch) {
    float[] out = new float[patch];
    double sigma = patch / 8.0;
    double centre = (patch - 1) / 2.0;
    for (int i = 0; i < patch; i++) {
      double d = (i - centre) / sigma;
      out[i] = (float) Math.max(Math.exp(-0.5 * d * d), 1e-6);
    }
    return out;
  }

  private static final class Run {
    private final OrtSession session;
    private final ModelDescriptor d;
    private final short[] voxels;
    private final int[] n;
    private final int[] m;
    private final double[] scale;
    private final boolean resampled;
    private final double[] spacing;
    private final int px;
    private final int py;
    private final int pz;
    private final int channels;
    private final int plane;
    private final float[] gx;
    private final float[] gy;
    private final float[] gz;
    private final float[][] slabs;
    private final byte[] labels;
    private int normalisedUpTo;
    private int nextSeriesSlice;

    Run(OrtSession session, ModelDescriptor d, VolumeGeometry g, short[] voxels) {
      this.session = session;
      this.d = d;
      this.voxels = voxels;
      double[] s = {g.sx(), g.sy(), g.sz()};
      n = new int[] {g.nx(), g.ny(), g.nz()};
      boolean outside = false;
      for (int i = 0; i < 3; i++) {
        outside |= Math.abs(s[i] / d.spacing()[i] - 1) > d.spacingTolerance();
      }
      resampled = outside;
      spacing = resampled ? d.spacing().clone() : s;
      m = new int[3];
      scale = new double[3];
      for (int i = 0; i < 3; i++) {
        m[i] = resampled ? (int) Math.floor((n[i] - 1) * s[i] / spacing[i] + 1e-9) + 1 : n[i];
        scale[i] = spacing[i] / s[i];
      }
      px = d.patch()[0];
      py = d.patch()[1];
      pz = d.patch()[2];
      channels = d.labels().size() + 1;
      plane = m[0] * m[1];
      gx = gaussian(px);
      gy = gaussian(py);
      gz = gaussian(pz);
      slabs = new float[m[2]][];
      labels = new byte[voxels.length];
    }

    Result run() throws OrtException {
      int[] xs = starts(m[0], px, d.overlap());
      int[] ys = starts(m[1], py, d.overlap());
      int[] zs = starts(m[2], pz, d.overlap());
      int patchVoxels = px * py * pz;
      int batch = d.batch();
      float[] input = new float[batch * patchVoxels];
      float[] output = new float[batch * channels * patchVoxels];
      int[][] starts = new int[batch][];
      OrtEnvironment environment = OrtEnvironment.getEnvironment();
      for (int r = 0; r < zs.length; r++) {
        int queued = 0;
        for (int y0 : ys) {
          for (int x0 : xs) {
            starts[queued] = new int[] {x0, y0, zs[r]};
            fill(input, queued * patchVoxels, starts[queued]);
            queued++;
            if (queued == batch) {
              infer(environment, input, output, starts, queued);
              queued = 0;
            }
          }
        }
        if (queued > 0) {
          infer(environment, input, output, starts, queued);
        }
        emit(r + 1 < zs.length ? zs[r + 1] : m[2]);
      }
      return new Result(labels, resampled, spacing);
    }

    /** Builds one patch's network input from the stored voxels (air beyond the volume). */
    private void fill(float[] input, int offset, int[] start) {
      ModelDescriptor.Normalisation norm = d.normalisation();
      float air = norm.apply(Double.NEGATIVE_INFINITY);
      int o = offset;
      for (int z = 0; z < pz; z++) {
        int tz = start[2] + z;
        for (int y = 0; y < py; y++) {
          int ty = start[1] + y;
          for (int x = 0; x < px; x++) {
            int tx = start[0] + x;
            input[o++] =
                tx >= m[0] || ty >= m[1] || tz >= m[2] ? air : norm.apply(sample(tx, ty, tz));
          }
        }
      }
    }

    /** The stored value at a voxel of the model's grid (trilinear when resampled). */
    private double sample(int tx, int ty, int tz) {
      if (!resampled) {
        return voxels[tx + n[0] * (ty + n[1] * tz)];
      }
      double x = Math.min(tx * scale[0], n[0] - 1);
      double y = Math.min(ty * scale[1], n[1] - 1);
      double z = Math.min(tz * scale[2], n[2] - 1);
      int x0 = (int) x;
      int y0 = (int) y;
      int z0 = (int) z;
      int x1 = Math.min(x0 + 1, n[0] - 1);
      int y1 = Math.min(y0 + 1, n[1] - 1);
      int z1 = Math.min(z0 + 1, n[2] - 1);
      double fx = x - x0;
      double fy = y - y0;
      double fz = z - z0;
      double c00 = lerp(at(x0, y0, z0), at(x1, y0, z0), fx);
      double c10 = lerp(at(x0, y1, z0), at(x1, y1, z0), fx);
      double c01 = lerp(at(x0, y0, z1), at(x1, y0, z1), fx);
      double c11 = lerp(at(x0, y1, z1), at(x1, y1, z1), fx);
      return lerp(lerp(c00, c10, fy), lerp(c01, c11, fy), fz);
    }

    private double at(int x, int y, int z) {
      return voxels[x + n[0] * (y + n[1] * z)];
    }

    private static double lerp(double a, double b, double f) {
      return a + (b - a) * f;
    }

    private void infer(
        OrtEnvironment environment, float[] input, float[] output, int[][] starts, int count)
        throws OrtException {
      int patchVoxels = px * py * pz;
      long[] shape = {count, 1, pz, py, px};
      try (OnnxTensor tensor =
              OnnxTensor.createTensor(
                  environment, FloatBuffer.wrap(input, 0, count * patchVoxels), shape);
          OrtSession.Result result = session.run(Map.of(d.input(), tensor))) {
        OnnxTensor out =
            (OnnxTensor)
                result
                    .get(d.output())
                    .orElseThrow(() -> new OrtException("no output " + d.output()));
        FloatBuffer values = out.getFloatBuffer();
        if (values.remaining() != count * channels * patchVoxels) {
          throw new OrtException(
              "the model returned " + values.remaining() + " values for " + count + " patches");
        }
        values.get(output, 0, count * channels * patchVoxels);
      }
      float[] probabilities = new float[channels];
      for (int b = 0; b < count; b++) {
        int base = b * channels * patchVoxels;
        int[] s = starts[b];
        for (int z = 0; z < pz; z++) {
          int tz = s[2] + z;
          if (tz >= m[2]) {
            break;
          }
          float[] slab = slab(tz);
          for (int y = 0; y < py; y++) {
            int ty = s[1] + y;
            if (ty >= m[1]) {
              break;
            }
            float wzy = gz[z] * gy[y];
            for (int x = 0; x < px; x++) {
              int tx = s[0] + x;
              if (tx >= m[0]) {
                break;
              }
              int v = x + px * (y + py * z);
              softmax(output, base + v, patchVoxels, probabilities);
              float w = wzy * gx[x];
              int cell = tx + m[0] * ty;
              for (int c = 0; c < channels; c++) {
                slab[c * plane + cell] += w * probabilities[c];
              }
              slab[channels * plane + cell] += w;
            }
          }
        }
      }
    }

    private void softmax(float[] output, int first, int stride, float[] into) {
      float max = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < channels; c++) {
        max = Math.max(max, output[first + c * stride]);
      }
      double sum = 0;
      for (int c = 0; c < channels; c++) {
        double e = Math.exp(output[first + c * stride] - max);
        into[c] = (float) e;
        sum += e;
      }
      for (int c = 0; c < channels; c++) {
        into[c] = (float) (into[c] / sum);
      }
    }

    private float[] slab(int z) {
      if (slabs[z] == null) {
        slabs[z] = new float[(channels + 1) * plane];
      }
      return slabs[z];
    }

    /**
     * Slices of the model's grid below {@code finalLimit} receive no more windows: turns their
     * blended sums into probabilities, labels every series slice they decide, drops what no later
     * series slice needs.
     */
    private void emit(int finalLimit) {
      for (; normalisedUpTo < finalLimit; normalisedUpTo++) {
        float[] slab = slab(normalisedUpTo);
        for (int cell = 0; cell < plane; cell++) {
          float w = slab[channels * plane + cell];
          for (int c = 0; c < channels; c++) {
            slab[c * plane + cell] /= w;
          }
        }
      }
      boolean last = finalLimit == m[2];
      while (nextSeriesSlice < n[2]) {
        int k = nextSeriesSlice;
        double tz = resampled ? Math.min(k / scale[2], m[2] - 1) : k;
        int z0 = (int) tz;
        int z1 = Math.min(z0 + 1, m[2] - 1);
        if (!last && z1 >= finalLimit) {
          break;
        }
        label(k, z0, z1, tz - z0);
        nextSeriesSlice++;
      }
      // slices below the one the next series slice starts from are no longer needed
      int keepFrom =
          nextSeriesSlice >= n[2]
              ? m[2]
              : (int)
                  (resampled ? Math.min(nextSeriesSlice / scale[2], m[2] - 1) : nextSeriesSlice);
      for (int z = 0; z < Math.min(keepFrom, normalisedUpTo); z++) {
        slabs[z] = null;
      }
    }

    private void label(int k, int z0, int z1, double fz) {
      float[] a = slabs[z0];
      float[] b = slabs[z1];
      int out = k * n[0] * n[1];
      if (!resampled) {
        for (int cell = 0; cell < plane; cell++) {
          labels[out + cell] = (byte) argmax(a, cell);
        }
        return;
      }
      double[] score = new double[channels];
      for (int j = 0; j < n[1]; j++) {
        double ty = Math.min(j / scale[1], m[1] - 1);
        int y0 = (int) ty;
        int y1 = Math.min(y0 + 1, m[1] - 1);
        double fy = ty - y0;
        for (int i = 0; i < n[0]; i++) {
          double tx = Math.min(i / scale[0], m[0] - 1);
          int x0 = (int) tx;
          int x1 = Math.min(x0 + 1, m[0] - 1);
          double fx = tx - x0;
          int best = 0;
          for (int c = 0; c < channels; c++) {
            int o = c * plane;
            double s0 =
                lerp(
                    lerp(a[o + x0 + m[0] * y0], a[o + x1 + m[0] * y0], fx),
                    lerp(a[o + x0 + m[0] * y1], a[o + x1 + m[0] * y1], fx),
                    fy);
            double s1 =
                lerp(
                    lerp(b[o + x0 + m[0] * y0], b[o + x1 + m[0] * y0], fx),
                    lerp(b[o + x0 + m[0] * y1], b[o + x1 + m[0] * y1], fx),
                    fy);
            score[c] = lerp(s0, s1, fz);
            if (score[c] > score[best]) {
              best = c;
            }
          }
          labels[out + i + n[0] * j] = (byte) best;
        }
      }
    }

    private int argmax(float[] slab, int cell) {
      int best = 0;
      for (int c = 1; c < channels; c++) {
        if (slab[c * plane + cell] > slab[best * plane + cell]) {
          best = c;
        }
      }
      return best;
    }
  }
}

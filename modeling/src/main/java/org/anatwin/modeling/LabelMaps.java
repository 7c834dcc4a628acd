package org.anatwin.modeling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.anatwin.model.DerivedIds;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeGeometry;
import org.anatwin.modeling.internal.Components;
import org.anatwin.modeling.internal.DistanceTransform;
import org.apache.commons.geometry.euclidean.threed.Vector3D;

/**
 * The segmentation operations of a label map, as 3D Slicer's Segment Editor offers them: threshold
 * with seeded region growing, connected components (keep the largest N, keep those touching seeds),
 * morphology with a radius in millimetres (dilate, erode, open, close), hole filling and cropping
 * to a box in patient coordinates. Every operation returns a new label map on the same grid whose
 * id derives from its input's id, the operation, its version and its parameters, and which names
 * them for lineage: the same input and parameters give the same id and voxels. Connectivity is
 * 6-connectivity throughout.
 */
public final class LabelMaps {
  public static final String VERSION = "1";
  public static final String REGION_GROWING = "anatwin.labelmap.region-growing";
  public static final String KEEP_LARGEST = "anatwin.labelmap.keep-largest";
  public static final String KEEP_SEEDED = "anatwin.labelmap.keep-seeded";
  public static final String MORPHOLOGY = "anatwin.labelmap.morphology";
  public static final String FILL_HOLES = "anatwin.labelmap.fill-holes";
  public static final String CROP = "anatwin.labelmap.crop";

  /** Morphological operations with a ball of a radius in millimetres (an ellipsoid in voxels). */
  public enum Morphology {
    DILATE,
    ERODE,
    /** Erode then dilate: removes parts thinner than the ball. */
    OPEN,
    /** Dilate then erode: closes gaps and dents narrower than the ball. */
    CLOSE
  }

  private LabelMaps() {}

  /**
   * The voxels with {@code minimumHu <= value <= maximumHu} that are connected to one of the seeds
   * (patient coordinates, mm) through such voxels. A seed outside the grid or on a voxel outside
   * the range is refused ({@code modeling:region.seed-outside}).
   */
  public static LabelMap regionGrowing(
      Volume volume, int minimumHu, int maximumHu, List<Vector3D> seeds) {
    if (minimumHu > maximumHu || seeds.isEmpty()) {
      throw new ModelingException(
          "modeling:region.parameters",
          "region growing needs minimum <= maximum and at least one seed");
    }
    VolumeGeometry g = volume.geometry();
    short[] voxels = volume.voxels();
    byte[] inRange = new byte[voxels.length];
    for (int i = 0; i < voxels.length; i++) {
      inRange[i] = voxels[i] >= minimumHu && voxels[i] <= maximumHu ? (byte) 1 : 0;
    }
    int[] seedIndices = seedIndices(g, seeds);
    for (int i = 0; i < seedIndices.length; i++) {
      if (inRange[seedIndices[i]] == 0) {
        throw new ModelingException(
            "modeling:region.seed-outside",
            "seed "
                + seeds.get(i)
                + " lies on a voxel outside ["
                + minimumHu
                + ", "
                + maximumHu
                + "] HU");
      }
    }
    byte[] grown = Components.keepSeeded(g, inRange, seedIndices);
    return derived(
        volume.id(),
        g,
        grown,
        REGION_GROWING,
        parameters("minimumHu", minimumHu, "maximumHu", maximumHu, "seeds", describe(seeds)));
  }

  /**
   * The Dice coefficient of two segmentations on the same grid (labelled = non-zero): twice the
   * overlap over the sum of their sizes; 1 for two empty ones.
   */
  public static double dice(LabelMap a, LabelMap b) {
    if (!a.geometry().equals(b.geometry())) {
      throw new ModelingException(
          "modeling:dice.grids", "Dice compares label maps on the same grid");
    }
    long both = 0;
    long sum = 0;
    byte[] x = a.labels();
    byte[] y = b.labels();
    for (int i = 0; i < x.length; i++) {
      boolean p = x[i] != 0;
      boolean q = y[i] != 0;
      both += p && q ? 1 : 0;
      sum += (p ? 1 : 0) + (q ? 1 : 0);
    }
    return sum == 0 ? 1 : 2.0 * both / sum;
  }

  /** The {@code count} largest objects (ties broken by the first voxel in grid order). */
  public static LabelMap keepLargest(LabelMap input, int count) {
    if (count < 1) {
      throw new ModelingException("modeling:components.count", "keep at least one object");
    }
    return derived(
        input.id(),
        input.geometry(),
        Components.keepLargest(input.geometry(), input.labels(), count),
        KEEP_LARGEST,
        parameters("count", count));
  }

  /** The objects that contain one of the seeds (patient coordinates, mm). */
  public static LabelMap keepSeeded(LabelMap input, List<Vector3D> seeds) {
    if (seeds.isEmpty()) {
      throw new ModelingException("modeling:components.seeds", "name at least one seed");
    }
    return derived(
        input.id(),
        input.geometry(),
        Components.keepSeeded(
            input.geometry(), input.labels(), seedIndices(input.geometry(), seeds)),
        KEEP_SEEDED,
        parameters("seeds", describe(seeds)));
  }

  /**
   * Dilation, erosion, opening or closing with a ball of {@code radiusMm}: a voxel is within the
   * ball of another when the distance between their centres, in millimetres with the grid's
   * spacing, is at most the radius (exact Euclidean distances, any anisotropy).
   */
  public static LabelMap morphology(LabelMap input, Morphology operation, double radiusMm) {
    if (!(radiusMm > 0) || !Double.isFinite(radiusMm)) {
      throw new ModelingException(
          "modeling:morphology.radius", "the radius is a positive number of millimetres");
    }
    VolumeGeometry g = input.geometry();
    byte[] labels = input.labels();
    byte[] out =
        switch (operation) {
          case DILATE -> DistanceTransform.dilate(g, labels, radiusMm);
          case ERODE -> DistanceTransform.erode(g, labels, radiusMm);
          case OPEN ->
              DistanceTransform.dilate(g, DistanceTransform.erode(g, labels, radiusMm), radiusMm);
          case CLOSE ->
              DistanceTransform.erode(g, DistanceTransform.dilate(g, labels, radiusMm), radiusMm);
        };
    return derived(
        input.id(),
        g,
        out,
        MORPHOLOGY,
        parameters("operation", operation.name().toLowerCase(Locale.ROOT), "radiusMm", radiusMm));
  }

  /** Fills every background region that does not reach the edge of the grid (enclosed cavities). */
  public static LabelMap fillHoles(LabelMap input) {
    VolumeGeometry g = input.geometry();
    byte[] labels = input.labels();
    byte[] background = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      background[i] = labels[i] == 0 ? (byte) 1 : 0;
    }
    byte[] outside = Components.keepSeeded(g, background, borderVoxels(g, background));
    byte[] out = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = labels[i] != 0 || outside[i] == 0 ? (byte) 1 : 0;
    }
    return derived(
        input.id(),
        g,
        out,
        FILL_HOLES,
        parameters("connectivity", "6, background reaching the grid's edge stays"));
  }

  /**
   * Keeps the labelled voxels whose centres lie inside the box {@code from}-{@code to} (patient
   * coordinates, mm, any two opposite corners); the grid stays, so the result still lies on its
   * volume.
   */
  public static LabelMap crop(LabelMap input, Vector3D from, Vector3D to) {
    Vector3D min = Vector3D.min(from, to);
    Vector3D max = Vector3D.max(from, to);
    VolumeGeometry g = input.geometry();
    var toPatient = g.indexToPatient();
    byte[] labels = input.labels();
    byte[] out = new byte[labels.length];
    for (int k = 0; k < g.nz(); k++) {
      for (int j = 0; j < g.ny(); j++) {
        for (int i = 0; i < g.nx(); i++) {
          int v = i + g.nx() * (j + g.ny() * k);
          if (labels[v] == 0) {
            continue;
          }
          Vector3D p = toPatient.apply(Vector3D.of(i, j, k));
          if (p.getX() >= min.getX()
              && p.getX() <= max.getX()
              && p.getY() >= min.getY()
              && p.getY() <= max.getY()
              && p.getZ() >= min.getZ()
              && p.getZ() <= max.getZ()) {
            out[v] = 1;
          }
        }
      }
    }
    return derived(
        input.id(),
        g,
        out,
        CROP,
        parameters("from", describe(List.of(min)), "to", describe(List.of(max))));
  }

  private static int[] borderVoxels(VolumeGeometry g, byte[] mask) {
    List<Integer> border = new ArrayList<>();
    for (int k = 0; k < g.nz(); k++) {
      for (int j = 0; j < g.ny(); j++) {
        for (int i = 0; i < g.nx(); i++) {
          boolean edge =
              i == 0 || j == 0 || k == 0 || i == g.nx() - 1 || j == g.ny() - 1 || k == g.nz() - 1;
          int v = i + g.nx() * (j + g.ny() * k);
          if (edge && mask[v] != 0) {
            border.add(v);
          }
        }
      }
    }
    return border.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int[] seedIndices(VolumeGeometry g, List<Vector3D> seeds) {
    var toIndex = g.indexToPatient().inverse();
    int[] indices = new int[seeds.size()];
    for (int s = 0; s < seeds.size(); s++) {
      Vector3D index = toIndex.apply(seeds.get(s));
      long i = Math.round(index.getX()), j = Math.round(index.getY()), k = Math.round(index.getZ());
      if (i < 0 || j < 0 || k < 0 || i >= g.nx() || j >= g.ny() || k >= g.nz()) {
        throw new ModelingException(
            "modeling:region.seed-outside", "seed " + seeds.get(s) + " lies outside the grid");
      }
      indices[s] = (int) (i + (long) g.nx() * (j + (long) g.ny() * k));
    }
    return indices;
  }

  private static String describe(List<Vector3D> points) {
    StringBuilder out = new StringBuilder();
    for (Vector3D p : points) {
      out.append(out.isEmpty() ? "" : ";")
          .append(String.format(Locale.ROOT, "%.3f,%.3f,%.3f", p.getX(), p.getY(), p.getZ()));
    }
    return out.toString();
  }

  private static Map<String, String> parameters(Object... keyValues) {
    Map<String, String> out = new TreeMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      out.put((String) keyValues[i], String.valueOf(keyValues[i + 1]));
    }
    return out;
  }

  private static LabelMap derived(
      String sourceId,
      VolumeGeometry g,
      byte[] labels,
      String algorithm,
      Map<String, String> parameters) {
    long count = 0;
    for (byte label : labels) {
      count += label != 0 ? 1 : 0;
    }
    return new LabelMap(
        DerivedIds.createId("labelmap", sourceId, algorithm, VERSION, parameters),
        sourceId,
        g,
        labels,
        algorithm,
        VERSION,
        parameters,
        count);
  }
}

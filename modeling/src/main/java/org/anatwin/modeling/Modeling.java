package org.anatwin.modeling;

import java.util.Map;
import org.anatwin.model.DerivedIds;
import org.anatwin.model.TriangleMesh;
import org.anatwin.model.Volume;
import org.anatwin.modeling.internal.Components;
import org.anatwin.modeling.internal.Decimation;
import org.anatwin.modeling.internal.Exports;
import org.anatwin.modeling.internal.MarchingCubes;
import org.anatwin.modeling.internal.MeshMath;
import org.anatwin.modeling.internal.MeshRepair;
import org.anatwin.modeling.internal.Stl;
import org.anatwin.modeling.internal.SurfaceDistance;
import org.anatwin.modeling.internal.VtkSurface;

/**
 * Entry point of the modeling module: segmentation, surfaces, mesh QA and exports. Stateless and
 * deterministic: the same inputs and parameters give the same ids and the same bytes.
 */
public final class Modeling {
  /** Name and version of the threshold segmentation, as recorded in lineage. */
  public static final String THRESHOLD = "anatwin.threshold";

  public static final String THRESHOLD_VERSION = "2";

  /**
   * Name and version of the label-map surface: the triangles of VTK's flying edges at 0.5 (its case
   * table, cell by cell, run on our arrays), then VTK's windowed-sinc smoothing.
   */
  public static final String SURFACE = "anatwin.surface.vtk-flying-edges";

  public static final String SURFACE_VERSION =
      "4 (VTK 9.1 flying-edges case table, VTK 9.1 windowed sinc)";

  /** Name and version of the scalar iso-surface (VTK's flying-edges triangles on the HU volume). */
  public static final String ISO_SURFACE = "anatwin.iso-surface.vtk-flying-edges";

  public static final String ISO_SURFACE_VERSION =
      "3 (VTK 9.1 flying-edges case table, VTK 9.1 windowed sinc)";

  /**
   * HU threshold presets, both bounds inclusive, with the names the command line takes. Bone and
   * dense bone (cortical) as 3D Slicer's threshold presets; contrast-enhanced vessels (iodinated
   * blood above soft tissue, below cortical bone); soft tissue (fat to enhanced organ); skin, the
   * air/body boundary (everything denser than -500 HU, whose outer surface is the skin).
   */
  public enum Preset {
    BONE("bone", 300, Short.MAX_VALUE),
    DENSE_BONE("dense-bone", 700, Short.MAX_VALUE),
    CONTRAST_VESSELS("vessels", 150, 600),
    SOFT_TISSUE("soft-tissue", -100, 150),
    SKIN("skin", -500, Short.MAX_VALUE);

    private final String label;
    private final int minimumHu;
    private final int maximumHu;

    Preset(String label, int minimumHu, int maximumHu) {
      this.label = label;
      this.minimumHu = minimumHu;
      this.maximumHu = maximumHu;
    }

    public String label() {
      return label;
    }

    public int minimumHu() {
      return minimumHu;
    }

    public int maximumHu() {
      return maximumHu;
    }

    /** The preset with this command-line name, if any. */
    public static java.util.Optional<Preset> named(String label) {
      for (Preset preset : values()) {
        if (preset.label.equals(label)) {
          return java.util.Optional.of(preset);
        }
      }
      return java.util.Optional.empty();
    }
  }

  /**
   * Smoothing defaults of 3D Slicer's closed-surface conversion (smoothing factor 0.5). Keeping the
   * largest object happens on the label map, not on the surface, so cavity walls stay.
   */
  private static final VtkSurface.Settings DEFAULT_SURFACE = new VtkSurface.Settings(20, 0.01);

  private Modeling() {}

  /**
   * Labels (value 1) every voxel with {@code minimumHu <= value <= maximumHu}, then keeps only the
   * largest 6-connected object, as 3D Slicer's threshold followed by "keep largest island".
   */
  public static LabelMap createThresholdLabelMap(Volume volume, int minimumHu, int maximumHu) {
    if (minimumHu > maximumHu) {
      throw new ModelingException(
          "modeling:threshold.empty-range",
          "threshold minimum " + minimumHu + " is above maximum " + maximumHu);
    }
    short[] voxels = volume.voxels();
    byte[] labels = new byte[voxels.length];
    long count = 0;
    for (int i = 0; i < voxels.length; i++) {
      if (voxels[i] >= minimumHu && voxels[i] <= maximumHu) {
        labels[i] = 1;
        count++;
      }
    }
    if (count == 0) {
      throw new ModelingException(
          "modeling:segmentation.empty",
          "no voxel of volume "
              + volume.id()
              + " lies in ["
              + minimumHu
              + ", "
              + maximumHu
              + "] HU");
    }
    labels = Components.keepLargest(volume.geometry(), labels);
    count = 0;
    for (byte label : labels) {
      count += label;
    }
    Map<String, String> parameters =
        Map.of(
            "minimumHu",
            Integer.toString(minimumHu),
            "maximumHu",
            Integer.toString(maximumHu),
            "keep",
            "largest 6-connected object");
    String id =
        DerivedIds.createId("labelmap", volume.id(), THRESHOLD, THRESHOLD_VERSION, parameters);
    return new LabelMap(
        id,
        volume.id(),
        volume.geometry(),
        labels,
        THRESHOLD,
        THRESHOLD_VERSION,
        parameters,
        count);
  }

  /** The closed surface of a label map, in the volume's frame of reference, with its QA report. */
  public static Surface createSurface(
      LabelMap labelMap, org.anatwin.model.FrameOfReferenceUid frame) {
    VtkSurface.Settings settings = DEFAULT_SURFACE;
    Map<String, String> parameters =
        Map.of(
            "isoValue",
            "0.5",
            "padding",
            "1 voxel",
            "smoothingIterations",
            Integer.toString(settings.smoothingIterations()),
            "passBand",
            Double.toString(settings.passBand()));
    MarchingCubes.GridSurface raw = MarchingCubes.ofLabels(labelMap.geometry(), labelMap.labels());
    MeshRepair.Result repaired =
        MeshRepair.weldAndDropDegenerate(VtkSurface.mesh(labelMap.geometry(), raw, settings, true));
    TriangleMesh mesh = repaired.mesh();
    TriangleMesh unsmoothed =
        settings.smoothingIterations() == 0
            ? mesh
            : VtkSurface.mesh(
                labelMap.geometry(), raw, new VtkSurface.Settings(0, settings.passBand()), true);
    String id = DerivedIds.createId("mesh", labelMap.id(), SURFACE, SURFACE_VERSION, parameters);
    return new Surface(
        id,
        labelMap.id(),
        frame,
        mesh,
        SURFACE,
        SURFACE_VERSION,
        parameters,
        compared(mesh, labelMap, unsmoothed),
        repaired.changes());
  }

  /**
   * The iso-surface at {@code isoHu} of the volume itself, placed between voxel centres by linear
   * interpolation of the HU values, so partial-volume edges put it where the object's boundary is
   * (sub-voxel accurate, unlike the surface of a label map). Only the largest 6-connected object at
   * or above {@code isoHu} is kept (the label map of {@link #createThresholdLabelMap}). {@code
   * smoothingIterations} of windowed-sinc smoothing (pass band 0.1) follow; 0 keeps the
   * interpolated surface as it is.
   */
  public static Surface createIsoSurface(Volume volume, double isoHu, int smoothingIterations) {
    LabelMap object =
        createThresholdLabelMap(
            volume, (int) Math.max(Short.MIN_VALUE, Math.ceil(isoHu)), Short.MAX_VALUE);
    return createIsoSurface(volume, object, isoHu, smoothingIterations);
  }

  /**
   * The iso-surface at {@code isoHu} of the volume within a segmentation of it: voxels outside
   * {@code object} count as below the iso value, so the surface wraps exactly the segmented object
   * (a threshold range, a kept component, a region grown from a seed) while its position between
   * voxel centres still comes from the HU values. {@code object} must be on the volume's grid.
   */
  public static Surface createIsoSurface(
      Volume volume, LabelMap object, double isoHu, int smoothingIterations) {
    if (!object.geometry().equals(volume.geometry())) {
      throw new ModelingException(
          "modeling:surface.grid-mismatch",
          "label map " + object.id() + " is not on the grid of volume " + volume.id());
    }
    if (object.labelledVoxels() == 0) {
      throw new ModelingException(
          "modeling:segmentation.empty", "label map " + object.id() + " labels no voxel");
    }
    requireIsoInRange(isoHu);
    short[] voxels = volume.voxels();
    byte[] labels = object.labels();
    short min = Short.MAX_VALUE;
    for (short voxel : voxels) {
      min = (short) Math.min(min, voxel);
    }
    short fill = (short) Math.max(Short.MIN_VALUE, Math.min(min, Math.floor(isoHu) - 1));
    VtkSurface.Settings settings = new VtkSurface.Settings(smoothingIterations, 0.1);
    Map<String, String> parameters =
        Map.of(
            "isoHu",
            Double.toString(isoHu),
            "padding",
            "1 voxel",
            "within",
            "label map " + object.id(),
            "smoothingIterations",
            Integer.toString(smoothingIterations),
            "passBand",
            "0.1");
    MarchingCubes.GridSurface raw =
        MarchingCubes.ofScalars(volume.geometry(), voxels, labels, contourAt(isoHu), fill);
    MeshRepair.Result repaired =
        MeshRepair.weldAndDropDegenerate(VtkSurface.mesh(volume.geometry(), raw, settings, false));
    TriangleMesh mesh = repaired.mesh();
    TriangleMesh unsmoothed =
        smoothingIterations == 0
            ? mesh
            : VtkSurface.mesh(volume.geometry(), raw, new VtkSurface.Settings(0, 0.1), false);
    String id =
        DerivedIds.createId(
            "mesh", volume.id(), object.id(), ISO_SURFACE, ISO_SURFACE_VERSION, parameters);
    return new Surface(
        id,
        object.id(),
        volume.frameOfReference(),
        mesh,
        ISO_SURFACE,
        ISO_SURFACE_VERSION,
        parameters,
        compared(mesh, object, unsmoothed),
        repaired.changes());
  }

  /** Name and version of the decimation (meshoptimizer's topology-preserving simplifier). */
  public static final String DECIMATION = "anatwin.decimation.meshoptimizer";

  public static final String DECIMATION_VERSION =
      "2 (meshoptimizer 1.0 simplifyWithUpdate via LWJGL 3.4.3)";

  /**
   * Decimates a surface to {@code fraction} of its triangles, or fewer collapses where the next one
   * would move the surface by more than {@code maxErrorMm}; topology is preserved (no holes, no
   * merged shells). The result is a new surface derived from the given one.
   */
  public static Surface decimate(Surface surface, double fraction, double maxErrorMm) {
    if (!(fraction > 0 && fraction <= 1) || !(maxErrorMm >= 0)) {
      throw new ModelingException(
          "modeling:decimation.parameters",
          "the fraction is in (0, 1] and the error bound in mm is not negative");
    }
    int target = (int) Math.max(4, Math.round(surface.mesh().triangleCount() * fraction));
    return decimate(surface, target, maxErrorMm, "targetFraction", Double.toString(fraction));
  }

  /**
   * Decimates a surface to at most {@code triangles} triangles, or fewer collapses where the next
   * one would move the surface by more than {@code maxErrorMm}; topology is preserved.
   */
  public static Surface decimateTo(Surface surface, int triangles, double maxErrorMm) {
    if (triangles < 4 || !(maxErrorMm >= 0)) {
      throw new ModelingException(
          "modeling:decimation.parameters",
          "the target is 4 triangles or more and the error bound in mm is not negative");
    }
    return decimate(surface, triangles, maxErrorMm, "targetTriangles", Integer.toString(triangles));
  }

  /**
   * A plain mesh (a scan, a preview) decimated to at most {@code triangles} triangles within {@code
   * maxErrorMm}, topology preserved and coincident or non-manifold leftovers repaired; no lineage
   * (use {@link #decimateTo} for a surface that is stored).
   */
  public static TriangleMesh simplify(TriangleMesh mesh, int triangles, double maxErrorMm) {
    if (triangles < 4 || !(maxErrorMm >= 0)) {
      throw new ModelingException(
          "modeling:decimation.parameters",
          "the target is 4 triangles or more and the error bound in mm is not negative");
    }
    if (mesh.triangleCount() <= triangles) {
      return mesh;
    }
    Decimation.Result result = Decimation.decimate(mesh, triangles, maxErrorMm);
    return MeshRepair.splitNonManifold(MeshRepair.dropCoincidentTriangles(result.mesh()).mesh())
        .mesh();
  }

  private static Surface decimate(
      Surface surface, int target, double maxErrorMm, String targetName, String targetValue) {
    Decimation.Result result = Decimation.decimate(surface.mesh(), target, maxErrorMm);
    MeshRepair.Result fins = MeshRepair.dropCoincidentTriangles(result.mesh());
    MeshRepair.Result cleaned = MeshRepair.splitNonManifold(fins.mesh());
    Map<String, String> parameters =
        Map.of(
            targetName,
            targetValue,
            "maxErrorMm",
            Double.toString(maxErrorMm),
            "topology",
            "preserved");
    String id =
        DerivedIds.createId("mesh", surface.id(), DECIMATION, DECIMATION_VERSION, parameters);
    java.util.List<String> repairs = new java.util.ArrayList<>(surface.repairs());
    repairs.add(
        String.format(
            java.util.Locale.ROOT,
            "decimated from %d to %d triangles (estimated deviation %.4f mm)",
            surface.mesh().triangleCount(),
            result.mesh().triangleCount(),
            result.errorMm()));
    repairs.addAll(fins.changes());
    repairs.addAll(cleaned.changes());
    return new Surface(
        id,
        surface.id(),
        surface.frameOfReference(),
        cleaned.mesh(),
        DECIMATION,
        DECIMATION_VERSION,
        parameters,
        MeshMath.report(cleaned.mesh()).compared(surface.report().labelMapVolumeMm3(), Double.NaN),
        repairs);
  }

  /**
   * Mean distance from the vertices of {@code from} to the surface of {@code to}, in mm (exact
   * point-to-triangle distances).
   */
  public static double meanSurfaceDistance(TriangleMesh from, TriangleMesh to) {
    return new SurfaceDistance(to).meanDistance(from.points());
  }

  /**
   * The level actually contoured: voxel values are integers, so "at or above an integer iso value"
   * and "above the half-integer below it" select the same voxels; contouring at the half-integer
   * keeps the surface off every voxel centre, where flying edges would put several vertices on one
   * point (in float precision) and sheets could touch.
   */
  private static void requireIsoInRange(double isoHu) {
    if (!(isoHu > Short.MIN_VALUE && isoHu <= Short.MAX_VALUE)) {
      throw new ModelingException(
          "modeling:surface.iso-range",
          "the iso value " + isoHu + " HU is not within (-32768, 32767]");
    }
  }

  /**
   * The raw iso-surface at {@code isoHu} of the whole volume, every object, unsmoothed, with no
   * repair and no QA report: the triangles VTK's flying edges gives for the volume padded by one
   * voxel below {@code isoHu}, in patient coordinates. The first stage of {@link
   * #createIsoSurface}, for callers that want the surface alone (and for the benchmark that
   * compares it with VTK's flying edges).
   */
  public static TriangleMesh extractIsoSurface(Volume volume, double isoHu) {
    requireIsoInRange(isoHu);
    short fill = (short) Math.max(Short.MIN_VALUE, Math.floor(isoHu) - 1);
    return VtkSurface.mesh(
        volume.geometry(),
        MarchingCubes.ofScalars(volume.geometry(), volume.voxels(), null, contourAt(isoHu), fill),
        new VtkSurface.Settings(0, 0.1),
        false);
  }

  private static double contourAt(double isoHu) {
    return isoHu == Math.rint(isoHu) ? isoHu - 0.5 : isoHu;
  }

  /**
   * The QA report of a surface made from {@code labelMap}, with its volume against the labelled
   * voxels' and the largest distance of its vertices from the {@code unsmoothed} surface.
   */
  private static MeshReport compared(
      TriangleMesh mesh, LabelMap labelMap, TriangleMesh unsmoothed) {
    var g = labelMap.geometry();
    double deviation =
        unsmoothed == mesh ? 0 : new SurfaceDistance(unsmoothed).maxDistance(mesh.points());
    return MeshMath.report(mesh)
        .compared(labelMap.labelledVoxels() * g.sx() * g.sy() * g.sz(), deviation);
  }

  /**
   * The difference of surface {@code changed} from surface {@code reference}, both in the same
   * frame (register first): per vertex of {@code changed}, the signed distance to {@code
   * reference}.
   */
  public static SurfaceDiff diff(TriangleMesh changed, TriangleMesh reference) {
    return diff(changed, reference, Double.NaN, 0);
  }

  /**
   * As {@link #diff(TriangleMesh, TriangleMesh)}, but each vertex of {@code changed} is measured
   * only against triangles of {@code reference} facing within {@code maxAngleDegrees} of its own
   * normal, as inspection of a scanned part does: on a thin wall, a dent in the outer side is then
   * measured against the outer side, not against the inner side it came close to. A match facing
   * the right way is sought at most {@code searchMm} beyond the nearest surface (otherwise the
   * nearest surface counts), so a noisy normal never matches a far-away wall.
   */
  public static SurfaceDiff inspect(
      TriangleMesh changed, TriangleMesh reference, double maxAngleDegrees, double searchMm) {
    if (!(maxAngleDegrees > 0 && maxAngleDegrees <= 180)) {
      throw new ModelingException(
          "modeling:diff.angle", "the normal angle is in (0, 180] degrees, not " + maxAngleDegrees);
    }
    if (!(searchMm >= 0)) {
      throw new ModelingException(
          "modeling:diff.search", "the search distance is not negative, not " + searchMm);
    }
    return diff(changed, reference, Math.cos(Math.toRadians(maxAngleDegrees)), searchMm);
  }

  private static SurfaceDiff diff(
      TriangleMesh changed, TriangleMesh reference, double minCos, double searchMm) {
    SurfaceDistance to = new SurfaceDistance(reference);
    float[] p = changed.points();
    float[] normals = Double.isNaN(minCos) ? null : changed.vertexNormals();
    float[] distances = new float[p.length / 3];
    java.util.stream.IntStream.range(0, distances.length)
        .parallel()
        .forEach(
            v ->
                distances[v] =
                    (float)
                        (normals == null
                            ? to.signedDistance(p[3 * v], p[3 * v + 1], p[3 * v + 2])
                            : to.signedDistanceFacing(
                                p[3 * v],
                                p[3 * v + 1],
                                p[3 * v + 2],
                                normals[3 * v],
                                normals[3 * v + 1],
                                normals[3 * v + 2],
                                minCos,
                                searchMm)));
    double sum = 0, abs = 0, squares = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
    float[] absolute = new float[distances.length];
    for (int v = 0; v < distances.length; v++) {
      double d = distances[v];
      sum += d;
      abs += Math.abs(d);
      squares += d * d;
      min = Math.min(min, d);
      max = Math.max(max, d);
      absolute[v] = Math.abs(distances[v]);
    }
    java.util.Arrays.sort(absolute);
    int n = Math.max(1, distances.length);
    double back = new SurfaceDistance(changed).maxDistance(reference.points());
    double forth = absolute.length == 0 ? 0 : absolute[absolute.length - 1];
    return new SurfaceDiff(
        distances,
        sum / n,
        abs / n,
        Math.sqrt(squares / n),
        absolute.length == 0 ? 0 : absolute[(int) Math.floor(0.95 * (absolute.length - 1))],
        min,
        max,
        Math.max(back, forth),
        MeshMath.signedVolume(changed.points(), changed.triangles())
            - MeshMath.signedVolume(reference.points(), reference.triangles()));
  }

  /**
   * A binary PLY of the mesh with its per-vertex signed distances: a float property {@code
   * distance} (mm) and a colour map (blue inside, white on, red outside; full colour at {@code
   * rangeMm}).
   */
  public static byte[] toDiffPly(TriangleMesh mesh, float[] distances, double rangeMm) {
    return Exports.diffPly(mesh, distances, rangeMm);
  }

  /** Holes whose boundary has at most this many edges count as small and are filled. */
  public static final int SMALL_HOLE_EDGES = 64;

  /** A mesh after repair, with the changes made, in order. */
  public record Repaired(TriangleMesh mesh, java.util.List<String> changes) {}

  /**
   * Repairs a mesh made elsewhere (an uploaded design, an STL): welds coincident vertices, drops
   * degenerate and duplicate triangles, fills small holes (at most {@link #SMALL_HOLE_EDGES} edges)
   * and separates sheets that touch along an edge; every change is listed.
   */
  public static Repaired repair(TriangleMesh mesh) {
    java.util.List<String> changes = new java.util.ArrayList<>();
    MeshRepair.Result welded = MeshRepair.weldAndDropDegenerate(mesh);
    changes.addAll(welded.changes());
    MeshRepair.Result unique = MeshRepair.dropCoincidentTriangles(welded.mesh());
    changes.addAll(unique.changes());
    MeshRepair.Result filled = MeshRepair.fillSmallHoles(unique.mesh(), SMALL_HOLE_EDGES);
    changes.addAll(filled.changes());
    MeshRepair.Result split = MeshRepair.splitNonManifold(filled.mesh());
    changes.addAll(split.changes());
    return new Repaired(split.mesh(), changes);
  }

  /** QA report of any mesh. */
  public static MeshReport report(TriangleMesh mesh) {
    return MeshMath.report(mesh);
  }

  /** Wavefront OBJ bytes (millimetres, patient coordinates). */
  public static byte[] toObj(TriangleMesh mesh) {
    return Exports.obj(mesh);
  }

  /** Binary PLY bytes (millimetres, patient coordinates). */
  public static byte[] toPly(TriangleMesh mesh) {
    return Exports.ply(mesh);
  }

  /** A 3MF package, {@code unit="millimeter"}, with metadata that must hold no patient data. */
  public static byte[] to3mf(TriangleMesh mesh, java.util.Map<String, String> metadata) {
    return Exports.threeMf(mesh, metadata);
  }

  /**
   * Reads a mesh made elsewhere: binary or ASCII STL, OBJ, PLY or 3MF ({@code format} names it, or
   * {@code null} to go by the content), converted to millimetres where the file declares a unit
   * (3MF). More than {@code maxTriangles} triangles are refused ({@code
   * modeling:import.too-many-triangles}); malformed files give {@code modeling:import.malformed}.
   */
  public static ImportedMesh importMesh(
      byte[] bytes, @org.jspecify.annotations.Nullable String format, int maxTriangles) {
    return org.anatwin.modeling.internal.MeshImport.read(bytes, format, maxTriangles);
  }

  /** The indexed mesh of a binary STL (vertices with identical coordinates welded). */
  public static TriangleMesh fromStl(byte[] stl) {
    return Exports.fromStl(stl);
  }

  /**
   * The mesh as a file of the format its extension names: {@code stl} (binary), {@code ascii.stl},
   * {@code obj}, {@code ply} (binary) or {@code 3mf} (with {@code metadata}, which must hold no
   * patient data).
   */
  public static byte[] export(TriangleMesh mesh, String extension, Map<String, String> metadata) {
    return switch (extension.toLowerCase(java.util.Locale.ROOT)) {
      case "stl" -> toStl(mesh);
      case "ascii.stl" -> toAsciiStl(mesh);
      case "obj" -> toObj(mesh);
      case "ply" -> toPly(mesh);
      case "3mf" -> to3mf(mesh, metadata);
      default ->
          throw new ModelingException(
              "modeling:export.format",
              "exports are stl, ascii.stl, obj, ply or 3mf, not " + extension);
    };
  }

  /** Binary STL bytes (millimetres, patient coordinates, no patient data in the header). */
  public static byte[] toStl(TriangleMesh mesh) {
    return Stl.write(mesh);
  }

  /** ASCII STL bytes with the same floats as the binary STL (millimetres, patient coordinates). */
  public static byte[] toAsciiStl(TriangleMesh mesh) {
    return Stl.writeAscii(mesh);
  }
}

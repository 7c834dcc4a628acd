package org.anatwin.printorders.qa;

import java.util.List;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.Modeling;
import org.anatwin.modeling.SurfaceDiff;
import org.anatwin.registration.Registrations;
import org.anatwin.registration.SurfaceRegistration;

/**
 * Measures a printed part against what was ordered. The scan (any frame: a scanner's, a CT's) is
 * registered rigidly to the design at the order's scale, starting from principal axes since the two
 * share no frame, with trimmed point-to-plane ICP so a local defect does not pull the fit; then
 * every scan vertex's signed distance to the design surface facing its way is taken. Only what was
 * scanned is measured: the statistics are over the scan's vertices. The part passes when the 95th
 * percentile of the absolute deviation is within the tolerance, no connected patch over 0.5 % of
 * the scan is more than twice the tolerance off (a local dent), and the registration paired enough
 * of the scan closely (overlap and residual within the ICP's review thresholds). Whether ICP's last
 * level converged does not decide a pass: any rigid placement under which the scan fits proves the
 * part (a slowly creeping fit of a symmetric part is still a fit); a scan that does not fit after a
 * registration that did not converge is reported as not registered rather than as out of tolerance.
 */
public final class PartQa {
  /** Name and version of the measurement, as recorded in lineage. */
  public static final String ALGORITHM = "anatwin.print.qa.scan-deviation";

  /** 2: convergence alone no longer fails a part that fits. */
  public static final String VERSION = "2";

  /**
   * A scan vertex is measured against design triangles facing within this angle of its normal, so
   * the outside of a thin wall (a skull's at 1:4 is about a millimetre) is never matched to its
   * inside.
   */
  public static final double MAX_NORMAL_ANGLE_DEGREES = 60;

  /** How far beyond the nearest surface a match facing the scan's way is sought, mm. */
  public static final double SEARCH_MM = 5;

  /**
   * A local defect: a connected patch of the scan more than this many tolerances off the design.
   * The 95th percentile alone lets a dent covering under 5 % of the part through.
   */
  public static final double DEFECT_FACTOR = 2;

  /** The largest share of the scanned area a local defect may cover. */
  public static final double MAX_DEFECT_FRACTION = 0.005;

  /** How far the colour map saturates, as a multiple of the tolerance. */
  private static final double COLOUR_RANGE = 2;

  private PartQa() {}

  /**
   * What the measurement found: the deviation statistics (mm), how well the scan registered, the
   * verdict, and the scan in the design's frame as a PLY with per-vertex distance and colour.
   */
  public record Result(
      boolean passed,
      double toleranceMm,
      double p95Mm,
      double meanAbsoluteMm,
      double rmsMm,
      double minMm,
      double maxMm,
      double hausdorffMm,
      double registrationRmsMm,
      double overlap,
      boolean registrationNeedsReview,
      int scanVertices,
      double scanAreaMm2,
      double largestDefectMm2,
      byte[] colourMapPly) {

    /** Why it failed, in words a technician can act on; empty when it passed. */
    public String reason() {
      if (passed) {
        return "";
      }
      if (registrationNeedsReview) {
        return String.format(
            java.util.Locale.ROOT,
            "the scan did not register to the design (overlap %.2f, residual %.3f mm)",
            overlap,
            registrationRmsMm);
      }
      if (p95Mm > toleranceMm) {
        return String.format(
            java.util.Locale.ROOT,
            "95 %% of the scanned surface is within %.3f mm of the design; the tolerance is %.3f mm",
            p95Mm,
            toleranceMm);
      }
      return String.format(
          java.util.Locale.ROOT,
          "a patch of %.1f mm² (%.1f %% of the scan) is more than %.3f mm off the design",
          largestDefectMm2,
          100 * largestDefectMm2 / scanAreaMm2,
          DEFECT_FACTOR * toleranceMm);
    }
  }

  /**
   * Registers {@code scan} (mm) onto the {@code design} parts scaled by {@code scale} and measures
   * it against {@code toleranceMm}.
   */
  public static Result measure(
      List<TriangleMesh> design, double scale, TriangleMesh scan, double toleranceMm) {
    TriangleMesh reference = TriangleMesh.join(design).scaled(scale);
    SurfaceRegistration registration =
        Registrations.registerSurfaces(reference, scan, false, Registrations.IcpOptions.defaults());
    TriangleMesh aligned = transformed(scan, registration);
    SurfaceDiff diff = Modeling.inspect(aligned, reference, MAX_NORMAL_ANGLE_DEGREES, SEARCH_MM);
    double area = area(scan);
    double defect = largestPatch(aligned, diff.distances(), DEFECT_FACTOR * toleranceMm);
    // enough of the scan paired with the design, close: the fit is one of the part, not of a piece
    Registrations.IcpOptions icp = Registrations.IcpOptions.defaults();
    boolean registered =
        registration.overlap() >= icp.minOverlap() && registration.rmsMm() <= icp.maxRmsMm();
    boolean fits = diff.p95AbsoluteMm() <= toleranceMm && defect <= MAX_DEFECT_FRACTION * area;
    // a rigid placement under which the scan fits proves the part, converged or not; a scan that
    // does not fit is blamed on the registration when that did not converge
    boolean passed = registered && fits;
    boolean registrationNeedsReview = !registered || (!fits && !registration.converged());
    return new Result(
        passed,
        toleranceMm,
        diff.p95AbsoluteMm(),
        diff.meanAbsoluteMm(),
        diff.rmsMm(),
        diff.minMm(),
        diff.maxMm(),
        diff.hausdorffMm(),
        registration.rmsMm(),
        registration.overlap(),
        registrationNeedsReview,
        scan.vertexCount(),
        area,
        defect,
        Modeling.toDiffPly(aligned, diff.distances(), COLOUR_RANGE * toleranceMm));
  }

  /**
   * The area (mm²) of the largest connected patch of triangles whose three vertices are all more
   * than {@code limit} off.
   */
  static double largestPatch(TriangleMesh mesh, float[] distances, double limit) {
    int[] t = mesh.triangles();
    int[] parent = new int[mesh.vertexCount()];
    for (int v = 0; v < parent.length; v++) {
      parent[v] = v;
    }
    boolean[] off = new boolean[t.length / 3];
    for (int f = 0; f < off.length; f++) {
      int a = t[3 * f], b = t[3 * f + 1], c = t[3 * f + 2];
      off[f] =
          Math.abs(distances[a]) > limit
              && Math.abs(distances[b]) > limit
              && Math.abs(distances[c]) > limit;
      if (off[f]) {
        union(parent, a, b);
        union(parent, a, c);
      }
    }
    java.util.Map<Integer, Double> patches = new java.util.HashMap<>();
    for (int f = 0; f < off.length; f++) {
      if (off[f]) {
        patches.merge(find(parent, t[3 * f]), area(mesh, f), Double::sum);
      }
    }
    return patches.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
  }

  private static int find(int[] parent, int v) {
    while (parent[v] != v) {
      parent[v] = parent[parent[v]];
      v = parent[v];
    }
    return v;
  }

  private static void union(int[] parent, int a, int b) {
    parent[find(parent, a)] = find(parent, b);
  }

  private static double area(TriangleMesh mesh) {
    double sum = 0;
    for (int f = 0; f < mesh.triangleCount(); f++) {
      sum += area(mesh, f);
    }
    return sum;
  }

  private static double area(TriangleMesh mesh, int f) {
    float[] p = mesh.points();
    int[] t = mesh.triangles();
    int a = 3 * t[3 * f], b = 3 * t[3 * f + 1], c = 3 * t[3 * f + 2];
    double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
    double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
    double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    return 0.5 * Math.sqrt(nx * nx + ny * ny + nz * nz);
  }

  /** The largest extent of the design at the order's scale and of the scan (mm), to catch units. */
  public static double[] extents(List<TriangleMesh> design, double scale, TriangleMesh scan) {
    return new double[] {extent(TriangleMesh.join(design)) * scale, extent(scan)};
  }

  private static double extent(TriangleMesh mesh) {
    float[] p = mesh.points();
    double[] b = {
      Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE,
      -Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE
    };
    for (int v = 0; v < p.length; v += 3) {
      for (int k = 0; k < 3; k++) {
        b[k] = Math.min(b[k], p[v + k]);
        b[k + 3] = Math.max(b[k + 3], p[v + k]);
      }
    }
    return Math.max(b[3] - b[0], Math.max(b[4] - b[1], b[5] - b[2]));
  }

  private static TriangleMesh transformed(TriangleMesh mesh, SurfaceRegistration registration) {
    double[] m = registration.transform().toArray();
    float[] p = mesh.points();
    float[] out = new float[p.length];
    for (int v = 0; v < p.length; v += 3) {
      double x = p[v], y = p[v + 1], z = p[v + 2];
      out[v] = (float) (m[0] * x + m[1] * y + m[2] * z + m[3]);
      out[v + 1] = (float) (m[4] * x + m[5] * y + m[6] * z + m[7]);
      out[v + 2] = (float) (m[8] * x + m[9] * y + m[10] * z + m[11]);
    }
    return new TriangleMesh(out, mesh.triangles());
  }
}

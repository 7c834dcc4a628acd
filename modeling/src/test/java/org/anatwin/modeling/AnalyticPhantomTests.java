package org.anatwin.modeling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.anatwin.model.ContentHash;
import org.anatwin.model.FrameOfReferenceUid;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.SopInstanceUid;
import org.anatwin.model.SourceInstance;
import org.anatwin.model.TriangleMesh;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeGeometry;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.apache.commons.geometry.euclidean.threed.rotation.QuaternionRotation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Analytic phantoms written as CT volumes (partial-volume edges by supersampling each voxel near
 * the surface, Gaussian noise, anisotropic 0.45 x 0.45 x 1.25 mm spacing, an oblique grid) and
 * surfaced at the half-way HU: the mesh must lie on the true surface (mean absolute distance of its
 * vertices <= 0.1 mm), enclose the true volume (<= 0.5 %) and have the true centroid (<= 0.05 mm),
 * all in patient coordinates.
 */
class AnalyticPhantomTests {
  private static final double SX = 0.45;
  private static final double SZ = 1.25;
  private static final double OBJECT_HU = 1000;
  private static final double NOISE_HU = 10;
  private static final Vector3D CENTRE = Vector3D.of(-31.7, 12.4, 88.3);

  /** A solid with a signed distance (negative inside), in coordinates relative to its centre. */
  enum Shape {
    SPHERE(4.0 / 3 * Math.PI * 12 * 12 * 12, 16) {
      @Override
      double distance(double x, double y, double z) {
        return Math.sqrt(x * x + y * y + z * z) - 12;
      }
    },
    ELLIPSOID(4.0 / 3 * Math.PI * 14 * 10 * 8, 18) {
      @Override
      double distance(double x, double y, double z) {
        // first-order distance g / |grad g|: exact in sign, second-order accurate near the surface
        double a = 14, b = 10, c = 8;
        double g = x * x / (a * a) + y * y / (b * b) + z * z / (c * c) - 1;
        double gx = 2 * x / (a * a), gy = 2 * y / (b * b), gz = 2 * z / (c * c);
        return g / Math.sqrt(gx * gx + gy * gy + gz * gz);
      }
    },
    CYLINDER(Math.PI * 8 * 8 * 20, 14) {
      @Override
      double distance(double x, double y, double z) {
        double dr = Math.sqrt(x * x + y * y) - 8;
        double dz = Math.abs(z) - 10;
        return Math.hypot(Math.max(dr, 0), Math.max(dz, 0)) + Math.min(Math.max(dr, dz), 0);
      }
    },
    /** A hollow ball: a 3 mm wall between radii 9 and 12. */
    SHELL(4.0 / 3 * Math.PI * (12 * 12 * 12 - 9 * 9 * 9), 16) {
      @Override
      double distance(double x, double y, double z) {
        double r = Math.sqrt(x * x + y * y + z * z);
        return Math.max(r - 12, 9 - r);
      }
    },
    TORUS(2 * Math.PI * Math.PI * 12 * 6 * 6, 20) {
      @Override
      double distance(double x, double y, double z) {
        return Math.hypot(Math.sqrt(x * x + y * y) - 12, z) - 6;
      }
    };

    final double volume;
    final double halfExtent;

    Shape(double volume, double halfExtent) {
      this.volume = volume;
      this.halfExtent = halfExtent;
    }

    abstract double distance(double x, double y, double z);

    double distance(Vector3D p) {
      Vector3D r = p.subtract(CENTRE);
      return distance(r.getX(), r.getY(), r.getZ());
    }
  }

  /** The phantom's CT: 0 HU outside, 1000 HU inside, each voxel the mean over its box. */
  static Volume phantom(Shape shape) {
    QuaternionRotation rotation =
        QuaternionRotation.fromAxisAngle(Vector3D.of(1, 2, 3), Math.toRadians(23));
    Vector3D.Unit row = rotation.apply(Vector3D.Unit.PLUS_X).normalize();
    Vector3D.Unit column = rotation.apply(Vector3D.Unit.PLUS_Y).normalize();
    Vector3D.Unit slice = row.cross(column).normalize();
    double extent = shape.halfExtent * 2;
    int nx = (int) Math.ceil(extent / SX);
    int nz = (int) Math.ceil(extent / SZ);
    // grid centred on the shape's centre
    Vector3D origin =
        CENTRE
            .subtract(row.multiply((nx - 1) * SX / 2))
            .subtract(column.multiply((nx - 1) * SX / 2))
            .subtract(slice.multiply((nz - 1) * SZ / 2));
    VolumeGeometry g = new VolumeGeometry(nx, nx, nz, SX, SX, SZ, origin, row, column, slice);
    double halfDiagonal = 0.5 * Math.sqrt(2 * SX * SX + SZ * SZ);
    int sub = 6;
    Random noise = new Random(42);
    short[] hu = new short[nx * nx * nz];
    for (int k = 0; k < nz; k++) {
      for (int j = 0; j < nx; j++) {
        for (int i = 0; i < nx; i++) {
          Vector3D centre =
              origin
                  .add(row.multiply(i * SX))
                  .add(column.multiply(j * SX))
                  .add(slice.multiply(k * SZ));
          double d = shape.distance(centre);
          double fraction;
          if (d > halfDiagonal) {
            fraction = 0;
          } else if (d < -halfDiagonal) {
            fraction = 1;
          } else {
            int inside = 0;
            for (int c = 0; c < sub; c++) {
              for (int b = 0; b < sub; b++) {
                for (int a = 0; a < sub; a++) {
                  Vector3D p =
                      centre
                          .add(row.multiply(((a + 0.5) / sub - 0.5) * SX))
                          .add(column.multiply(((b + 0.5) / sub - 0.5) * SX))
                          .add(slice.multiply(((c + 0.5) / sub - 0.5) * SZ));
                  if (shape.distance(p) <= 0) {
                    inside++;
                  }
                }
              }
            }
            fraction = inside / (double) (sub * sub * sub);
          }
          hu[i + nx * (j + nx * k)] =
              (short) Math.round(fraction * OBJECT_HU + noise.nextGaussian() * NOISE_HU);
        }
      }
    }
    return new Volume(
        "volume-" + shape.name().toLowerCase(Locale.ROOT),
        SeriesInstanceUid.of("1.2.826.0.1.3680043.10.99"),
        FrameOfReferenceUid.of("1.2.826.0.1.3680043.10.98"),
        g,
        hu,
        List.of(
            new SourceInstance(
                SopInstanceUid.of("1.2.826.0.1.3680043.10.97"), ContentHash.of(new byte[0]))),
        "analytic-phantom",
        "1",
        Map.of());
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void theIsoSurfaceLiesOnTheTrueSurfaceInPatientCoordinates(Shape shape) {
    Surface surface = Modeling.createIsoSurface(phantom(shape), OBJECT_HU / 2, 0);
    TriangleMesh mesh = surface.mesh();
    float[] p = mesh.points();
    double sum = 0;
    for (int v = 0; v < p.length / 3; v++) {
      sum += Math.abs(shape.distance(Vector3D.of(p[3 * v], p[3 * v + 1], p[3 * v + 2])));
    }
    double meanDistance = sum / (p.length / 3);
    double volumeError = Math.abs(surface.report().volume() - shape.volume) / shape.volume;
    double centroidError = centroid(mesh).distance(CENTRE);
    System.out.printf(
        Locale.ROOT,
        "%s: mean |d| %.4f mm, volume error %.3f %%, centroid error %.4f mm, %d triangles%n",
        shape,
        meanDistance,
        100 * volumeError,
        centroidError,
        mesh.triangles().length / 3);
    assertThat(surface.report().watertight()).isTrue();
    assertThat(surface.report().shells()).isEqualTo(shape == Shape.SHELL ? 2 : 1);
    assertThat(meanDistance).as("mean absolute surface distance, mm").isLessThanOrEqualTo(0.1);
    assertThat(volumeError).as("relative volume error").isLessThanOrEqualTo(0.005);
    assertThat(centroidError).as("centroid error, mm").isLessThanOrEqualTo(0.05);
  }

  @org.junit.jupiter.api.Test
  void decimationToATenthKeepsTheSphereClosedAndOnItsSurface() {
    Surface full = Modeling.createIsoSurface(phantom(Shape.SPHERE), OBJECT_HU / 2, 0);
    Surface decimated = Modeling.decimate(full, 0.1, 1.0);
    MeshReport report = decimated.report();
    assertThat(report.triangles()).isLessThanOrEqualTo(full.report().triangles() / 10 + 2);
    assertThat(report.watertight()).isTrue();
    assertThat(report.shells()).isEqualTo(1);
    assertThat(Math.abs(report.volume() - full.report().volume()) / full.report().volume())
        .isLessThanOrEqualTo(0.01);
    // every original vertex to the decimated surface
    assertThat(Modeling.meanSurfaceDistance(full.mesh(), decimated.mesh()))
        .isLessThanOrEqualTo(0.05);
    assertThat(decimated.repairs()).last().asString().startsWith("decimated from");
  }

  /** Centroid of the enclosed solid (signed tetrahedra from the origin). */
  static Vector3D centroid(TriangleMesh mesh) {
    float[] p = mesh.points();
    int[] t = mesh.triangles();
    double volume = 0, cx = 0, cy = 0, cz = 0;
    for (int i = 0; i < t.length; i += 3) {
      int a = 3 * t[i], b = 3 * t[i + 1], c = 3 * t[i + 2];
      double v =
          (p[a] * (p[b + 1] * p[c + 2] - p[b + 2] * p[c + 1])
                  - p[a + 1] * (p[b] * p[c + 2] - p[b + 2] * p[c])
                  + p[a + 2] * (p[b] * p[c + 1] - p[b + 1] * p[c]))
              / 6;
      volume += v;
      cx += v * (p[a] + p[b] + p[c]) / 4;
      cy += v * (p[a + 1] + p[b + 1] + p[c + 1]) / 4;
      cz += v * (p[a + 2] + p[b + 2] + p[c + 2]) / 4;
    }
    return Vector3D.of(cx / volume, cy / volume, cz / volume);
  }

  @Test
  void theReportCountsTopologyOrientationAndWallThickness() {
    MeshReport sphere = Modeling.createIsoSurface(phantom(Shape.SPHERE), OBJECT_HU / 2, 0).report();
    assertThat(sphere.eulerCharacteristic()).isEqualTo(2);
    assertThat(sphere.consistentlyOriented()).isTrue();
    assertThat(sphere.selfIntersections()).isZero();
    assertThat(sphere.degenerateTriangles()).isZero();
    // a solid ball of radius 12: straight inward from the surface is the whole diameter (24 mm),
    // beyond the 20 mm the estimate looks
    assertThat(sphere.wallThicknessMm()).isEqualTo(20.0);

    MeshReport torus = Modeling.createIsoSurface(phantom(Shape.TORUS), OBJECT_HU / 2, 0).report();
    assertThat(torus.eulerCharacteristic()).isZero();

    MeshReport shell = Modeling.createIsoSurface(phantom(Shape.SHELL), OBJECT_HU / 2, 0).report();
    assertThat(shell.shells()).isEqualTo(2);
    assertThat(shell.eulerCharacteristic()).isEqualTo(4);
    assertThat(shell.wallThicknessMm()).isCloseTo(3.0, within(0.15));
  }

  @Test
  void smoothingIsMeasuredAgainstTheUnsmoothedSurfaceAndTheLabelMap() {
    Volume sphere = phantom(Shape.SPHERE);
    MeshReport raw = Modeling.createIsoSurface(sphere, OBJECT_HU / 2, 0).report();
    MeshReport smoothed = Modeling.createIsoSurface(sphere, OBJECT_HU / 2, 20).report();
    assertThat(raw.maxDeviationFromUnsmoothedMm()).isZero();
    assertThat(smoothed.maxDeviationFromUnsmoothedMm()).isStrictlyBetween(0.0, 0.45);
    // the label map holds the voxels at or above 500 HU: about the true volume
    assertThat(raw.labelMapVolumeMm3())
        .isCloseTo(Shape.SPHERE.volume, within(0.03 * Shape.SPHERE.volume));
    assertThat(raw.volumeChange()).isBetween(-0.03, 0.03);
  }

  @Test
  void decimatingToATriangleCountStopsAtIt() {
    Surface sphere = Modeling.createIsoSurface(phantom(Shape.SPHERE), OBJECT_HU / 2, 0);
    Surface small = Modeling.decimateTo(sphere, 2000, 1.0);
    assertThat(small.report().triangles()).isBetween(1500, 2000);
    assertThat(small.report().watertight()).isTrue();
    assertThat(small.parameters()).containsEntry("targetTriangles", "2000");
    // an error bound of 0.001 mm allows almost no collapse on a curved surface
    assertThat(Modeling.decimateTo(sphere, 2000, 0.001).report().triangles()).isGreaterThan(8000);
  }

  /**
   * A synthetic follow-up of the sphere: 0.1 mm noise everywhere and a smooth 2 mm bump on one
   * side; the diff finds the bump's height and stays small elsewhere.
   */
  @Test
  void theDiffReportsATwoMillimetreBumpAndLittleElsewhere() {
    TriangleMesh sphere = Modeling.createIsoSurface(phantom(Shape.SPHERE), OBJECT_HU / 2, 0).mesh();
    float[] p = sphere.points().clone();
    Vector3D bumpAxis = Vector3D.of(1, 0.3, 0.2).normalize();
    Random noise = new Random(3);
    boolean[] inBump = new boolean[p.length / 3];
    for (int v = 0; v < p.length; v += 3) {
      Vector3D r = Vector3D.of(p[v], p[v + 1], p[v + 2]).subtract(CENTRE);
      double angle = Math.acos(Math.max(-1, Math.min(1, r.normalize().dot(bumpAxis))));
      // a cosine-squared cap of 2 mm over 25 degrees around the axis
      double height =
          angle < Math.toRadians(25)
              ? 2 * Math.pow(Math.cos(angle / Math.toRadians(25) * Math.PI / 2), 2)
              : 0;
      inBump[v / 3] = angle < Math.toRadians(30);
      Vector3D moved = CENTRE.add(r.add(r.normalize().multiply(height)));
      p[v] = (float) (moved.getX() + 0.1 * noise.nextGaussian());
      p[v + 1] = (float) (moved.getY() + 0.1 * noise.nextGaussian());
      p[v + 2] = (float) (moved.getZ() + 0.1 * noise.nextGaussian());
    }
    TriangleMesh followUp = new TriangleMesh(p, sphere.triangles());

    SurfaceDiff diff = Modeling.diff(followUp, sphere);

    double bumpMax = -Double.MAX_VALUE;
    java.util.List<Float> outside = new java.util.ArrayList<>();
    for (int v = 0; v < inBump.length; v++) {
      if (inBump[v]) {
        bumpMax = Math.max(bumpMax, diff.distances()[v]);
      } else {
        outside.add(Math.abs(diff.distances()[v]));
      }
    }
    outside.sort(null);
    double p95Outside = outside.get((int) Math.floor(0.95 * (outside.size() - 1)));
    assertThat(bumpMax).isCloseTo(2.0, within(0.25));
    assertThat(p95Outside).isLessThan(0.3);
    assertThat(diff.maxMm()).isEqualTo(bumpMax, within(1e-6));
    assertThat(diff.volumeChangeMm3()).isPositive();
    byte[] ply = Modeling.toDiffPly(followUp, diff.distances(), 2.0);
    assertThat(new String(ply, 0, 400, java.nio.charset.StandardCharsets.US_ASCII))
        .contains("property float distance")
        .contains("property uchar red");
  }

  @Test
  void crossingCopiesAndAFlippedTriangleAreFound() {
    TriangleMesh ball = Modeling.createIsoSurface(phantom(Shape.SPHERE), OBJECT_HU / 2, 0).mesh();
    assertThat(Modeling.report(twoCopies(ball, 30)).selfIntersections()).isZero();
    assertThat(Modeling.report(twoCopies(ball, 12)).selfIntersections()).isPositive();

    int[] flipped = ball.triangles().clone();
    int swap = flipped[1];
    flipped[1] = flipped[2];
    flipped[2] = swap;
    assertThat(Modeling.report(new TriangleMesh(ball.points(), flipped)).consistentlyOriented())
        .isFalse();
  }

  /** The mesh and a copy of it moved {@code shift} mm along x, as one mesh. */
  private static TriangleMesh twoCopies(TriangleMesh mesh, double shift) {
    float[] p = mesh.points();
    float[] points = java.util.Arrays.copyOf(p, 2 * p.length);
    for (int i = 0; i < p.length; i++) {
      points[p.length + i] = (float) (p[i] + (i % 3 == 0 ? shift : 0));
    }
    int[] t = mesh.triangles();
    int[] triangles = java.util.Arrays.copyOf(t, 2 * t.length);
    for (int i = 0; i < t.length; i++) {
      triangles[t.length + i] = t[i] + mesh.vertexCount();
    }
    return new TriangleMesh(points, triangles);
  }
}

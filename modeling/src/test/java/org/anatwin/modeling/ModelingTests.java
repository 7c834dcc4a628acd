package org.anatwin.modeling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.anatwin.model.ContentHash;
import org.anatwin.model.FrameOfReferenceUid;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.SopInstanceUid;
import org.anatwin.model.SourceInstance;
import org.anatwin.model.Volume;
import org.anatwin.model.VolumeGeometry;
import org.apache.commons.geometry.euclidean.threed.Vector3D;
import org.junit.jupiter.api.Test;

class ModelingTests {
  private static final double RADIUS = 20;

  /** A ball of bone (1000 HU) in water, on a grid with anisotropic spacing and a flipped axis. */
  private static Volume ball(Vector3D.Unit sliceDirection) {
    int n = 40;
    int nz = 30;
    double s = 1.2;
    double sz = 1.6;
    VolumeGeometry g =
        new VolumeGeometry(
            n,
            n,
            nz,
            s,
            s,
            sz,
            Vector3D.of(10, -5, 100),
            Vector3D.Unit.PLUS_X,
            Vector3D.Unit.PLUS_Y,
            sliceDirection);
    short[] hu = new short[n * n * nz];
    for (int k = 0; k < nz; k++) {
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < n; i++) {
          double x = (i - (n - 1) / 2.0) * s;
          double y = (j - (n - 1) / 2.0) * s;
          double z = (k - (nz - 1) / 2.0) * sz;
          hu[i + n * (j + n * k)] = (short) (Math.sqrt(x * x + y * y + z * z) <= RADIUS ? 1000 : 0);
        }
      }
    }
    return new Volume(
        "volume-test",
        SeriesInstanceUid.of("1.2.3"),
        FrameOfReferenceUid.of("1.2.3.4"),
        g,
        hu,
        List.of(new SourceInstance(SopInstanceUid.of("1.2.3.5"), ContentHash.of(new byte[0]))),
        "test",
        "1",
        Map.of());
  }

  @Test
  void surfaceOfABallIsClosedOutwardAndOfTheRightVolume() {
    Volume volume = ball(Vector3D.Unit.PLUS_Z);
    LabelMap labels = Modeling.createThresholdLabelMap(volume, 300, Short.MAX_VALUE);
    Surface surface = Modeling.createSurface(labels, volume.frameOfReference());
    MeshReport report = surface.report();
    assertThat(report.watertight()).isTrue();
    assertThat(report.shells()).isEqualTo(1);
    double expected = 4.0 / 3.0 * Math.PI * RADIUS * RADIUS * RADIUS;
    assertThat(report.volume()).isCloseTo(expected, within(expected * 0.05));
    // centred in patient coordinates at origin + half the grid extent
    assertThat((report.minX() + report.maxX()) / 2).isCloseTo(10 + 39 * 1.2 / 2, within(0.3));
    assertThat((report.minZ() + report.maxZ()) / 2).isCloseTo(100 + 29 * 1.6 / 2, within(0.3));
  }

  @Test
  void leftHandedSeriesStillGiveOutwardNormalsInPatientCoordinates() {
    Volume volume = ball(Vector3D.Unit.MINUS_Z);
    Surface surface =
        Modeling.createSurface(
            Modeling.createThresholdLabelMap(volume, 300, Short.MAX_VALUE),
            volume.frameOfReference());
    assertThat(surface.report().volume()).isPositive();
    assertThat((surface.report().minZ() + surface.report().maxZ()) / 2)
        .isCloseTo(100 - 29 * 1.6 / 2, within(0.3));
  }

  @Test
  void sameInputGivesSameIdAndSameStlBytes() {
    Volume volume = ball(Vector3D.Unit.PLUS_Z);
    Surface a =
        Modeling.createSurface(
            Modeling.createThresholdLabelMap(volume, 300, Short.MAX_VALUE),
            volume.frameOfReference());
    Surface b =
        Modeling.createSurface(
            Modeling.createThresholdLabelMap(volume, 300, Short.MAX_VALUE),
            volume.frameOfReference());
    assertThat(a.id()).isEqualTo(b.id());
    assertThat(ContentHash.of(Modeling.toStl(a.mesh())))
        .isEqualTo(ContentHash.of(Modeling.toStl(b.mesh())));
  }

  @Test
  void stlHoldsEveryTriangleWithAnUnitNormal() {
    Volume volume = ball(Vector3D.Unit.PLUS_Z);
    Surface s =
        Modeling.createSurface(
            Modeling.createThresholdLabelMap(volume, 300, Short.MAX_VALUE),
            volume.frameOfReference());
    byte[] stl = Modeling.toStl(s.mesh());
    ByteBuffer in = ByteBuffer.wrap(stl).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(in.getInt(80)).isEqualTo(s.mesh().triangleCount());
    assertThat(stl).hasSize(84 + 50 * s.mesh().triangleCount());
    double nx = in.getFloat(84), ny = in.getFloat(88), nz = in.getFloat(92);
    assertThat(Math.sqrt(nx * nx + ny * ny + nz * nz)).isCloseTo(1.0, within(1e-4));
  }

  @Test
  void keepsTheLargestObjectWithItsCavityAndDropsSmallIslands() {
    // a hollow ball (outer r 20, cavity r 10) and a lone voxel far from it
    int n = 50;
    VolumeGeometry g =
        new VolumeGeometry(
            n,
            n,
            n,
            1,
            1,
            1,
            Vector3D.ZERO,
            Vector3D.Unit.PLUS_X,
            Vector3D.Unit.PLUS_Y,
            Vector3D.Unit.PLUS_Z);
    short[] hu = new short[n * n * n];
    for (int k = 0; k < n; k++) {
      for (int j = 0; j < n; j++) {
        for (int i = 0; i < n; i++) {
          double r =
              Math.sqrt(
                  (i - 24.5) * (i - 24.5) + (j - 24.5) * (j - 24.5) + (k - 24.5) * (k - 24.5));
          hu[i + n * (j + n * k)] = (short) (r <= 20 && r > 10 ? 1000 : 0);
        }
      }
    }
    hu[1 + n * (1 + n)] = 1000;
    Volume volume =
        new Volume(
            "volume-hollow",
            SeriesInstanceUid.of("1.2.3"),
            FrameOfReferenceUid.of("1.2.3.4"),
            g,
            hu,
            List.of(new SourceInstance(SopInstanceUid.of("1.2.3.5"), ContentHash.of(new byte[0]))),
            "test",
            "1",
            java.util.Map.of());
    LabelMap labels = Modeling.createThresholdLabelMap(volume, 300, Short.MAX_VALUE);
    assertThat(labels.labels()[1 + n * (1 + n)]).isZero();
    MeshReport report = Modeling.createSurface(labels, volume.frameOfReference()).report();
    assertThat(report.shells()).isEqualTo(2);
    double expected = 4.0 / 3.0 * Math.PI * (20 * 20 * 20 - 10 * 10 * 10);
    assertThat(report.volume()).isCloseTo(expected, within(expected * 0.05));
  }

  @Test
  void exportsTheSameMeshInEveryFormatReproducibly() throws Exception {
    Volume volume = ball(Vector3D.Unit.PLUS_Z);
    Surface s =
        Modeling.createSurface(
            Modeling.createThresholdLabelMap(volume, 300, Short.MAX_VALUE),
            volume.frameOfReference());
    var mesh = s.mesh();
    var back = Modeling.fromStl(Modeling.toStl(mesh));
    assertThat(back.vertexCount()).isEqualTo(mesh.vertexCount());
    assertThat(back.triangleCount()).isEqualTo(mesh.triangleCount());
    assertThat(Modeling.report(back).volume()).isCloseTo(s.report().volume(), within(1e-6));

    String obj = new String(Modeling.toObj(mesh), java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(obj.lines().filter(l -> l.startsWith("v ")).count()).isEqualTo(mesh.vertexCount());
    assertThat(obj.lines().filter(l -> l.startsWith("f ")).count()).isEqualTo(mesh.triangleCount());

    byte[] ply = Modeling.toPly(mesh);
    String header = new String(ply, 0, 300, java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(header)
        .startsWith("ply\nformat binary_little_endian 1.0")
        .contains("element vertex " + mesh.vertexCount());

    Map<String, String> metadata =
        Map.of("anatwin:mesh", s.id(), "anatwin:frameOfReferenceUid", "1.2.3.4");
    byte[] threeMf = Modeling.to3mf(mesh, metadata);
    assertThat(threeMf).isEqualTo(Modeling.to3mf(mesh, metadata));
    String model;
    try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(threeMf))) {
      java.util.Map<String, byte[]> entries = new java.util.HashMap<>();
      for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        entries.put(e.getName(), zip.readAllBytes());
      }
      assertThat(entries).containsKeys("[Content_Types].xml", "_rels/.rels", "3D/3dmodel.model");
      model = new String(entries.get("3D/3dmodel.model"), java.nio.charset.StandardCharsets.UTF_8);
    }
    assertThat(model).contains("unit=\"millimeter\"").contains(s.id());
    assertThat(model.split("<vertex ", -1)).hasSize(mesh.vertexCount() + 1);
    assertThat(model.split("<triangle ", -1)).hasSize(mesh.triangleCount() + 1);
  }

  @Test
  void refusesAThresholdThatSelectsNothing() {
    Volume volume = ball(Vector3D.Unit.PLUS_Z);
    assertThatThrownBy(() -> Modeling.createThresholdLabelMap(volume, 2000, 3000))
        .isInstanceOfSatisfying(
            ModelingException.class,
            e -> assertThat(e.code()).isEqualTo("modeling:segmentation.empty"));
    assertThatThrownBy(() -> Modeling.createThresholdLabelMap(volume, 300, 200))
        .isInstanceOfSatisfying(
            ModelingException.class,
            e -> assertThat(e.code()).isEqualTo("modeling:threshold.empty-range"));
  }
}

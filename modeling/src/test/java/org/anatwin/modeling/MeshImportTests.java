package org.anatwin.modeling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.anatwin.model.TriangleMesh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Meshes made elsewhere read back to the same geometry, in millimetres, or are refused by code. */
class MeshImportTests {
  private static final int LIMIT = 1_000_000;

  /** A closed sphere of radius 20 mm centred at (5, -7, 30): an octahedron subdivided 3 times. */
  static TriangleMesh sphere() {
    return org.anatwin.model.Shapes.sphere(new double[] {5, -7, 30}, 20, 3);
  }

  @ParameterizedTest
  @ValueSource(strings = {"stl", "ascii.stl", "obj", "ply", "3mf"})
  void ourOwnExportsReadBackToTheSameClosedMesh(String extension) {
    TriangleMesh mesh = sphere();
    byte[] file = Modeling.export(mesh, extension, Map.of("Title", "test"));

    ImportedMesh read = Modeling.importMesh(file, null, LIMIT);

    assertThat(read.mesh().triangleCount()).isEqualTo(mesh.triangleCount());
    assertThat(read.mesh().vertexCount()).isEqualTo(mesh.vertexCount());
    MeshReport original = Modeling.report(mesh);
    MeshReport back = Modeling.report(read.mesh());
    assertThat(back.watertight()).isTrue();
    assertThat(back.manifold()).isTrue();
    assertThat(back.volume())
        .isCloseTo(original.volume(), org.assertj.core.data.Offset.offset(1e-3));
    assertThat(read.toMillimetres()).isEqualTo(1.0);
  }

  @Test
  void a3mfInMetresWithATransformIsPlacedInMillimetres() throws Exception {
    String model =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <model unit="meter" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">
         <resources>
          <object id="1" type="model"><mesh>
           <vertices>
            <vertex x="0" y="0" z="0"/><vertex x="0.01" y="0" z="0"/>
            <vertex x="0" y="0.01" z="0"/><vertex x="0" y="0" z="0.01"/>
           </vertices>
           <triangles>
            <triangle v1="0" v2="2" v3="1"/><triangle v1="0" v2="1" v3="3"/>
            <triangle v1="0" v2="3" v3="2"/><triangle v1="1" v2="2" v3="3"/>
           </triangles>
          </mesh></object>
          <object id="2" type="model"><components>
           <component objectid="1" transform="1 0 0 0 1 0 0 0 1 0.1 0 0"/>
          </components></object>
         </resources>
         <build><item objectid="2" transform="0 1 0 -1 0 0 0 0 1 0 0 0.02"/></build>
        </model>
        """;
    ImportedMesh read = Modeling.importMesh(zip("3D/3dmodel.model", model), "3mf", LIMIT);

    assertThat(read.unit()).isEqualTo("meter");
    assertThat(read.toMillimetres()).isEqualTo(1000.0);
    float[] p = read.mesh().points();
    // vertex 1 (0.01, 0, 0) m: component shift to (0.11, 0, 0), item's rotation (x, y) -> (-y, x)
    // as row vector: x' = x*0 + y*-1, y' = x*1 + y*0; then z + 0.02
    assertThat(p[3]).isCloseTo(0f, org.assertj.core.data.Offset.offset(1e-3f));
    assertThat(p[4]).isCloseTo(110f, org.assertj.core.data.Offset.offset(1e-3f));
    assertThat(p[5]).isCloseTo(20f, org.assertj.core.data.Offset.offset(1e-3f));
    assertThat(Modeling.report(read.mesh()).volume())
        .isCloseTo(1000.0 / 6, org.assertj.core.data.Offset.offset(1e-2));
  }

  @Test
  void aPlyWithQuadsExtraPropertiesAndBigEndianIsRead() {
    // a unit cube of 6 quads, with colour properties to skip
    float[][] v = {
      {0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 1}, {1, 1, 1}, {0, 1, 1}
    };
    int[][] q = {
      {0, 3, 2, 1}, {4, 5, 6, 7}, {0, 1, 5, 4}, {1, 2, 6, 5}, {2, 3, 7, 6}, {3, 0, 4, 7}
    };
    String header =
        "ply\nformat binary_big_endian 1.0\ncomment made by a scanner\nelement vertex 8\n"
            + "property double x\nproperty double y\nproperty double z\nproperty uchar red\n"
            + "element face 6\nproperty list uchar int vertex_indices\nend_header\n";
    ByteBuffer body = ByteBuffer.allocate(8 * 25 + 6 * 17).order(ByteOrder.BIG_ENDIAN);
    for (float[] p : v) {
      body.putDouble(10 * p[0]).putDouble(10 * p[1]).putDouble(10 * p[2]).put((byte) 200);
    }
    for (int[] f : q) {
      body.put((byte) 4);
      for (int i : f) {
        body.putInt(i);
      }
    }
    byte[] file = concat(header.getBytes(StandardCharsets.US_ASCII), body.array());

    ImportedMesh read = Modeling.importMesh(file, null, LIMIT);

    assertThat(read.format()).isEqualTo("ply");
    assertThat(read.mesh().triangleCount()).isEqualTo(12);
    MeshReport r = Modeling.report(read.mesh());
    assertThat(r.watertight()).isTrue();
    assertThat(r.volume()).isCloseTo(1000.0, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void refusalsHaveTheirOwnCodes() throws Exception {
    byte[] stl = Modeling.toStl(sphere());
    assertThatThrownBy(() -> Modeling.importMesh(stl, null, 100))
        .hasFieldOrPropertyWithValue("code", "modeling:import.too-many-triangles");
    assertThatThrownBy(
            () -> Modeling.importMesh("hello".getBytes(StandardCharsets.US_ASCII), null, LIMIT))
        .hasFieldOrPropertyWithValue("code", "modeling:import.format");
    assertThatThrownBy(
            () ->
                Modeling.importMesh(
                    "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n".getBytes(StandardCharsets.US_ASCII),
                    "obj",
                    LIMIT))
        .hasFieldOrPropertyWithValue("code", "modeling:import.bad-index");
    assertThatThrownBy(
            () ->
                Modeling.importMesh(
                    "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 zero\n"
                        .getBytes(StandardCharsets.US_ASCII),
                    "stl",
                    LIMIT))
        .hasFieldOrPropertyWithValue("code", "modeling:import.malformed");
    assertThatThrownBy(
            () -> Modeling.importMesh(Modeling.export(sphere(), "ply", Map.of()), "3mf", LIMIT))
        .hasFieldOrPropertyWithValue("code", "modeling:import.malformed");
    String entity =
        "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<model unit=\"millimeter\"><resources/><build/></model>";
    assertThatThrownBy(() -> Modeling.importMesh(zip("3D/3dmodel.model", entity), "3mf", LIMIT))
        .hasFieldOrPropertyWithValue("code", "modeling:import.malformed");
    String furlong =
        "<model unit=\"furlong\"><resources><object id=\"1\"><mesh><vertices>"
            + "<vertex x=\"0\" y=\"0\" z=\"0\"/><vertex x=\"1\" y=\"0\" z=\"0\"/><vertex x=\"0\" y=\"1\" z=\"0\"/>"
            + "</vertices><triangles><triangle v1=\"0\" v2=\"1\" v3=\"2\"/></triangles></mesh></object>"
            + "</resources><build><item objectid=\"1\"/></build></model>";
    assertThatThrownBy(() -> Modeling.importMesh(zip("3D/3dmodel.model", furlong), "3mf", LIMIT))
        .hasFieldOrPropertyWithValue("code", "modeling:import.unit");
    byte[] lying =
        "ply\nformat ascii 1.0\nelement vertex 2000000000\nproperty float x\nend_header\n0\n"
            .getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> Modeling.importMesh(lying, null, LIMIT))
        .hasFieldOrPropertyWithValue("code", "modeling:import.malformed");
  }

  private static byte[] zip(String name, String text) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry(name));
      zip.write(text.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

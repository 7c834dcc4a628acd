package org.anatwin.modeling.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.ModelingException;

/**
 * Mesh files other than binary STL, all in patient coordinates (LPS) and millimetres, with no
 * patient data and no timestamps inside, so the same mesh always gives the same bytes.
 */
public final class Exports {
  /** Zip entry times are fixed (1980-01-01) so a 3MF package is byte-for-byte reproducible. */
  private static final long FIXED_TIME = 315532800000L;

  private Exports() {}

  /** Wavefront OBJ: {@code v x y z} lines, then {@code f a b c} with 1-based indices. */
  public static byte[] obj(TriangleMesh mesh) {
    StringBuilder out =
        new StringBuilder("# Anatwin mesh, patient coordinates (LPS), millimetres\n");
    float[] p = mesh.points();
    for (int v = 0; v < p.length; v += 3) {
      out.append("v ")
          .append(p[v])
          .append(' ')
          .append(p[v + 1])
          .append(' ')
          .append(p[v + 2])
          .append('\n');
    }
    int[] t = mesh.triangles();
    for (int f = 0; f < t.length; f += 3) {
      out.append("f ")
          .append(t[f] + 1)
          .append(' ')
          .append(t[f + 1] + 1)
          .append(' ')
          .append(t[f + 2] + 1)
          .append('\n');
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Binary little-endian PLY with float vertices and int triangle lists. */
  public static byte[] ply(TriangleMesh mesh) {
    String header =
        "ply\nformat binary_little_endian 1.0\ncomment Anatwin mesh, patient coordinates (LPS), millimetres\n"
            + "element vertex "
            + mesh.vertexCount()
            + "\nproperty float x\nproperty float y\nproperty float z\n"
            + "element face "
            + mesh.triangleCount()
            + "\nproperty list uchar int vertex_indices\nend_header\n";
    byte[] head = header.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out =
        ByteBuffer.allocate(head.length + 12 * mesh.vertexCount() + 13 * mesh.triangleCount())
            .order(ByteOrder.LITTLE_ENDIAN);
    out.put(head);
    for (float value : mesh.points()) {
      out.putFloat(value);
    }
    int[] t = mesh.triangles();
    for (int f = 0; f < t.length; f += 3) {
      out.put((byte) 3).putInt(t[f]).putInt(t[f + 1]).putInt(t[f + 2]);
    }
    return out.array();
  }

  /** Binary PLY with a signed distance and a blue-white-red colour per vertex. */
  public static byte[] diffPly(TriangleMesh mesh, float[] distances, double range) {
    if (distances.length != mesh.vertexCount() || !(range > 0)) {
      throw new IllegalArgumentException("one distance per vertex and a positive range");
    }
    String header =
        "ply\nformat binary_little_endian 1.0\ncomment Anatwin surface difference, patient coordinates (LPS), millimetres\n"
            + "comment distance: signed, mm, positive outside the reference surface; colour range "
            + range
            + " mm\nelement vertex "
            + mesh.vertexCount()
            + "\nproperty float x\nproperty float y\nproperty float z\nproperty float distance\n"
            + "property uchar red\nproperty uchar green\nproperty uchar blue\n"
            + "element face "
            + mesh.triangleCount()
            + "\nproperty list uchar int vertex_indices\nend_header\n";
    byte[] head = header.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out =
        ByteBuffer.allocate(head.length + 19 * mesh.vertexCount() + 13 * mesh.triangleCount())
            .order(ByteOrder.LITTLE_ENDIAN);
    out.put(head);
    float[] p = mesh.points();
    for (int v = 0; v < distances.length; v++) {
      out.putFloat(p[3 * v]).putFloat(p[3 * v + 1]).putFloat(p[3 * v + 2]).putFloat(distances[v]);
      double f = Math.max(-1, Math.min(1, distances[v] / range));
      int fade = (int) Math.round(255 * (1 - Math.abs(f)));
      out.put((byte) (f < 0 ? fade : 255)).put((byte) fade).put((byte) (f > 0 ? fade : 255));
    }
    int[] t = mesh.triangles();
    for (int f = 0; f < t.length; f += 3) {
      out.put((byte) 3).putInt(t[f]).putInt(t[f + 1]).putInt(t[f + 2]);
    }
    return out.array();
  }

  /**
   * A 3MF package (core specification): one object with the mesh, {@code unit="millimeter"}, and
   * the given metadata (ids, frame of reference; never patient data) in key order.
   */
  public static byte[] threeMf(TriangleMesh mesh, Map<String, String> metadata) {
    StringBuilder model = new StringBuilder(64 + 60 * (mesh.vertexCount() + mesh.triangleCount()));
    model
        .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append(
            "<model unit=\"millimeter\" xml:lang=\"en-US\" xmlns=\"http://schemas.microsoft.com/3dmanufacturing/core/2015/02\">\n");
    new TreeMap<>(metadata)
        .forEach(
            (k, v) ->
                model
                    .append(" <metadata name=\"")
                    .append(xml(k))
                    .append("\">")
                    .append(xml(v))
                    .append("</metadata>\n"));
    model.append(" <resources>\n  <object id=\"1\" type=\"model\">\n   <mesh>\n    <vertices>\n");
    float[] p = mesh.points();
    for (int v = 0; v < p.length; v += 3) {
      model
          .append("     <vertex x=\"")
          .append(p[v])
          .append("\" y=\"")
          .append(p[v + 1])
          .append("\" z=\"")
          .append(p[v + 2])
          .append("\"/>\n");
    }
    model.append("    </vertices>\n    <triangles>\n");
    int[] t = mesh.triangles();
    for (int f = 0; f < t.length; f += 3) {
      model
          .append("     <triangle v1=\"")
          .append(t[f])
          .append("\" v2=\"")
          .append(t[f + 1])
          .append("\" v3=\"")
          .append(t[f + 2])
          .append("\"/>\n");
    }
    model.append(
        "    </triangles>\n   </mesh>\n  </object>\n </resources>\n <build>\n  <item objectid=\"1\"/>\n </build>\n</model>\n");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      entry(
          zip,
          "[Content_Types].xml",
          """
          <?xml version="1.0" encoding="UTF-8"?>
          <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
           <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
           <Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/>
          </Types>
          """);
      entry(
          zip,
          "_rels/.rels",
          """
          <?xml version="1.0" encoding="UTF-8"?>
          <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
           <Relationship Target="/3D/3dmodel.model" Id="rel0" Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/>
          </Relationships>
          """);
      entry(zip, "3D/3dmodel.model", model.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void entry(ZipOutputStream zip, String name, String text) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setTime(FIXED_TIME);
    zip.putNextEntry(entry);
    zip.write(text.getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
  }

  /** A vertex position by its exact float bits. */
  private record Corner(int x, int y, int z) {}

  private static String xml(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /** Reads a binary STL back into an indexed mesh, welding vertices with identical coordinates. */
  public static TriangleMesh fromStl(byte[] stl) {
    if (stl.length < 84) {
      throw new ModelingException("modeling:stl.truncated", "an STL file has at least 84 bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(stl).order(ByteOrder.LITTLE_ENDIAN);
    int n = in.getInt(80);
    if (n < 0 || stl.length != 84 + 50L * n) {
      throw new ModelingException(
          "modeling:stl.size", "the STL's size does not match its triangle count");
    }
    Map<Corner, Integer> seen = new HashMap<>();
    float[] points = new float[9 * n];
    int[] triangles = new int[3 * n];
    int count = 0;
    for (int f = 0; f < n; f++) {
      int at = 84 + 50 * f + 12;
      for (int c = 0; c < 3; c++) {
        float x = in.getFloat(at + 12 * c);
        float y = in.getFloat(at + 12 * c + 4);
        float z = in.getFloat(at + 12 * c + 8);
        Corner corner =
            new Corner(Float.floatToIntBits(x), Float.floatToIntBits(y), Float.floatToIntBits(z));
        Integer index = seen.get(corner);
        if (index == null) {
          index = count++;
          points[3 * index] = x;
          points[3 * index + 1] = y;
          points[3 * index + 2] = z;
          seen.put(corner, index);
        }
        triangles[3 * f + c] = index;
      }
    }
    return new TriangleMesh(java.util.Arrays.copyOf(points, 3 * count), triangles);
  }
}

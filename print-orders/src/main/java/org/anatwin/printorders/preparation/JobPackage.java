package org.anatwin.printorders.preparation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.anatwin.model.TriangleMesh;

/**
 * The 3MF job package for printers that take 3MF: one object per structure, each with its own
 * material and display colour (core spec base materials), in bed coordinates, millimetres. It names
 * ids only, never a patient; entries carry a fixed time so the same job gives the same bytes.
 */
public final class JobPackage {
  private static final long FIXED_TIME = 315532800000L;

  private JobPackage() {}

  /** One object of the package. */
  public record Part(String name, TriangleMesh mesh, String material, String colour) {}

  /**
   * A material and colour suited to a structure: bone rigid and bone-white, vessels transparent
   * red, cartilage flexible blue-grey, guides rigid blue, implants grey; otherwise the order's.
   */
  public static Part styled(
      String structure, String designKind, TriangleMesh mesh, String material) {
    String s = structure.toLowerCase(Locale.ROOT);
    if ("GUIDE".equals(designKind)) {
      return new Part(structure, mesh, material + " (rigid)", "#2F6FD6FF");
    }
    if ("IMPLANT".equals(designKind) || "PLATE".equals(designKind)) {
      return new Part(structure, mesh, material + " (rigid)", "#9AA0A6FF");
    }
    if (s.matches(".*(vessel|arter|vein|aort|vascul).*")) {
      return new Part(structure, mesh, "transparent resin", "#C8202080");
    }
    if (s.contains("cartilage")) {
      return new Part(structure, mesh, "flexible (Shore 85A)", "#8FA3B8FF");
    }
    return new Part(structure, mesh, material + " (rigid)", "#E8E2D0FF");
  }

  /** The package's bytes; {@code title} must hold no patient data (an order id). */
  public static byte[] write(List<Part> parts, String title) {
    StringBuilder model = new StringBuilder(1024);
    model
        .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<model unit=\"millimeter\" xml:lang=\"en-US\"")
        .append(" xmlns=\"http://schemas.microsoft.com/3dmanufacturing/core/2015/02\">\n")
        .append(" <metadata name=\"Title\">")
        .append(xml(title))
        .append("</metadata>\n <metadata name=\"Application\">Anatwin</metadata>\n")
        .append(" <resources>\n  <basematerials id=\"1\">\n");
    for (Part p : parts) {
      model
          .append("   <base name=\"")
          .append(xml(p.material()))
          .append("\" displaycolor=\"")
          .append(p.colour())
          .append("\"/>\n");
    }
    model.append("  </basematerials>\n");
    for (int i = 0; i < parts.size(); i++) {
      Part part = parts.get(i);
      model
          .append("  <object id=\"")
          .append(i + 2)
          .append("\" type=\"model\" name=\"")
          .append(xml(part.name()))
          .append("\" pid=\"1\" pindex=\"")
          .append(i)
          .append("\">\n   <mesh>\n    <vertices>\n");
      float[] p = part.mesh().points();
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
      int[] t = part.mesh().triangles();
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
      model.append("    </triangles>\n   </mesh>\n  </object>\n");
    }
    model.append(" </resources>\n <build>\n");
    for (int i = 0; i < parts.size(); i++) {
      model.append("  <item objectid=\"").append(i + 2).append("\"/>\n");
    }
    model.append(" </build>\n</model>\n");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      entry(
          zip,
          "[Content_Types].xml",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
              + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
              + "<Default Extension=\"model\" ContentType=\"application/vnd.ms-package.3dmanufacturing-3dmodel+xml\"/>"
              + "</Types>\n");
      entry(
          zip,
          "_rels/.rels",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
              + "<Relationship Target=\"/3D/3dmodel.model\" Id=\"rel0\""
              + " Type=\"http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel\"/>"
              + "</Relationships>\n");
      entry(zip, "3D/3dmodel.model", model.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void entry(ZipOutputStream zip, String name, String text) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setTime(FIXED_TIME);
    zip.putNextEntry(e);
    zip.write(text.getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}

package org.anatwin.modeling.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.ImportedMesh;
import org.anatwin.modeling.ModelingException;

/**
 * Reads meshes made elsewhere: binary and ASCII STL, Wavefront OBJ (polygons fanned into
 * triangles), PLY (ASCII and binary of either byte order, any extra properties skipped) and 3MF
 * (the model part's objects, components and build items with their transforms, converted from the
 * model's unit to millimetres). Every refusal has a {@code modeling:import.} code; nothing here
 * trusts a count in a header further than the bytes that follow it.
 */
public final class MeshImport {
  private MeshImport() {}

  /** 3MF parts are unzipped at most to this many bytes each (a zip bomb stops here). */
  private static final long MAX_3MF_PART = 512L << 20;

  /**
   * Reads {@code bytes} as the format {@code format} names ({@code stl}, {@code obj}, {@code ply},
   * {@code 3mf}), or, when it is {@code null}, the format the content shows. At most {@code
   * maxTriangles} triangles are read.
   */
  public static ImportedMesh read(
      byte[] bytes, @org.jspecify.annotations.Nullable String format, int maxTriangles) {
    String f = format == null ? sniff(bytes) : format.toLowerCase(Locale.ROOT);
    TriangleMesh mesh;
    try {
      return switch (f) {
        case "stl" -> {
          mesh = isBinaryStl(bytes) ? Exports.fromStl(bytes) : asciiStl(bytes, maxTriangles);
          yield new ImportedMesh(check(mesh, maxTriangles), "stl", "unspecified", 1);
        }
        case "obj" ->
            new ImportedMesh(
                check(obj(bytes, maxTriangles), maxTriangles), "obj", "unspecified", 1);
        case "ply" ->
            new ImportedMesh(
                check(ply(bytes, maxTriangles), maxTriangles), "ply", "unspecified", 1);
        case "3mf" -> threeMf(bytes, maxTriangles);
        default ->
            throw new ModelingException(
                "modeling:import.format", "meshes are read from stl, obj, ply or 3mf, not " + f);
      };
    } catch (NumberFormatException
        | IndexOutOfBoundsException
        | java.nio.BufferUnderflowException e) {
      throw new ModelingException(
          "modeling:import.malformed", "the " + f + " file is malformed: " + e.getMessage(), e);
    }
  }

  private static String sniff(byte[] b) {
    if (b.length >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4) {
      return "3mf";
    }
    if (startsWith(b, "ply")) {
      return "ply";
    }
    if (isBinaryStl(b) || startsWith(b, "solid")) {
      return "stl";
    }
    String head = new String(b, 0, Math.min(b.length, 4096), StandardCharsets.US_ASCII);
    if (head.contains("\nv ") || head.startsWith("v ") || head.contains("\nf ")) {
      return "obj";
    }
    throw new ModelingException(
        "modeling:import.format", "not an STL, OBJ, PLY or 3MF file (say which format it is)");
  }

  private static boolean startsWith(byte[] b, String text) {
    byte[] t = text.getBytes(StandardCharsets.US_ASCII);
    if (b.length < t.length) {
      return false;
    }
    for (int i = 0; i < t.length; i++) {
      if (b[i] != t[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean isBinaryStl(byte[] b) {
    if (b.length < 84) {
      return false;
    }
    long n = Integer.toUnsignedLong(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(80));
    return b.length == 84 + 50 * n;
  }

  private static TriangleMesh check(TriangleMesh mesh, int maxTriangles) {
    if (mesh.triangleCount() == 0) {
      throw new ModelingException("modeling:import.empty", "the file holds no triangles");
    }
    if (mesh.triangleCount() > maxTriangles) {
      throw new ModelingException(
          "modeling:import.too-many-triangles",
          mesh.triangleCount() + " triangles, more than the limit of " + maxTriangles);
    }
    float[] p = mesh.points();
    for (float v : p) {
      if (!Float.isFinite(v)) {
        throw new ModelingException(
            "modeling:import.not-finite", "a vertex coordinate is not a finite number");
      }
    }
    return mesh;
  }

  /** Collects triangles, welding vertices of identical coordinates (STL has no shared vertices). */
  private static final class Builder {
    final Map<String, Integer> byText = new HashMap<>();
    float[] points = new float[3 * 1024];
    int[] triangles = new int[3 * 1024];
    int vertices;
    int count;
    final int maxTriangles;

    Builder(int maxTriangles) {
      this.maxTriangles = maxTriangles;
    }

    int vertex(float x, float y, float z) {
      String key =
          Float.floatToIntBits(x) + ":" + Float.floatToIntBits(y) + ":" + Float.floatToIntBits(z);
      return byText.computeIfAbsent(key, k -> add(x, y, z));
    }

    int add(float x, float y, float z) {
      if (3 * vertices + 3 > points.length) {
        points = java.util.Arrays.copyOf(points, 2 * points.length);
      }
      points[3 * vertices] = x;
      points[3 * vertices + 1] = y;
      points[3 * vertices + 2] = z;
      return vertices++;
    }

    void triangle(int a, int b, int c) {
      if (count >= maxTriangles) {
        throw new ModelingException(
            "modeling:import.too-many-triangles",
            "more triangles than the limit of " + maxTriangles);
      }
      if (3 * count + 3 > triangles.length) {
        triangles = java.util.Arrays.copyOf(triangles, 2 * triangles.length);
      }
      triangles[3 * count] = a;
      triangles[3 * count + 1] = b;
      triangles[3 * count + 2] = c;
      count++;
    }

    TriangleMesh mesh() {
      for (int i = 0; i < 3 * count; i++) {
        if (triangles[i] < 0 || triangles[i] >= vertices) {
          throw new ModelingException(
              "modeling:import.bad-index",
              "a face names vertex " + triangles[i] + " of " + vertices);
        }
      }
      return new TriangleMesh(
          java.util.Arrays.copyOf(points, 3 * vertices),
          java.util.Arrays.copyOf(triangles, 3 * count));
    }
  }

  private static TriangleMesh asciiStl(byte[] bytes, int maxTriangles) {
    Builder out = new Builder(maxTriangles);
    String text = new String(bytes, StandardCharsets.US_ASCII);
    int[] corner = new int[3];
    int corners = 0;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("vertex")) {
        String[] t = line.split("\\s+");
        if (t.length != 4 || corners == 3) {
          throw new ModelingException(
              "modeling:import.malformed",
              "an STL facet has a malformed vertex line: " + clip(line));
        }
        corner[corners++] =
            out.vertex(Float.parseFloat(t[1]), Float.parseFloat(t[2]), Float.parseFloat(t[3]));
      } else if (line.startsWith("endloop")) {
        if (corners != 3) {
          throw new ModelingException(
              "modeling:import.malformed", "an STL facet has " + corners + " vertices, not 3");
        }
        out.triangle(corner[0], corner[1], corner[2]);
        corners = 0;
      }
    }
    return out.mesh();
  }

  private static TriangleMesh obj(byte[] bytes, int maxTriangles) {
    Builder out = new Builder(maxTriangles);
    String text = new String(bytes, StandardCharsets.UTF_8);
    List<Integer> face = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("v ")) {
        String[] t = line.split("\\s+");
        if (t.length < 4) {
          throw new ModelingException(
              "modeling:import.malformed", "an OBJ vertex needs x y z: " + clip(line));
        }
        out.add(Float.parseFloat(t[1]), Float.parseFloat(t[2]), Float.parseFloat(t[3]));
      } else if (line.startsWith("f ")) {
        String[] t = line.split("\\s+");
        face.clear();
        for (int i = 1; i < t.length; i++) {
          int index = Integer.parseInt(t[i].split("/", 2)[0]);
          // 1-based, negative counts back from the newest vertex
          face.add(index > 0 ? index - 1 : out.vertices + index);
        }
        if (face.size() < 3) {
          throw new ModelingException(
              "modeling:import.malformed", "an OBJ face needs 3 vertices: " + clip(line));
        }
        for (int i = 1; i + 1 < face.size(); i++) {
          out.triangle(face.get(0), face.get(i), face.get(i + 1));
        }
      }
    }
    return out.mesh();
  }

  private record Property(String name, String type, String countType) {}

  private record Element(String name, long count, List<Property> properties) {}

  private static TriangleMesh ply(byte[] bytes, int maxTriangles) {
    int end = indexOf(bytes, "end_header");
    if (end < 0) {
      throw new ModelingException("modeling:import.malformed", "the PLY header has no end_header");
    }
    int body = end + "end_header".length();
    while (body < bytes.length && bytes[body] != '\n') {
      body++;
    }
    body++;
    String header = new String(bytes, 0, end, StandardCharsets.US_ASCII);
    String format = null;
    List<Element> elements = new ArrayList<>();
    for (String raw : header.split("\n")) {
      String[] t = raw.strip().split("\\s+");
      switch (t[0]) {
        case "format" -> format = t[1];
        case "element" -> elements.add(new Element(t[1], Long.parseLong(t[2]), new ArrayList<>()));
        case "property" -> {
          if (elements.isEmpty()) {
            throw new ModelingException(
                "modeling:import.malformed", "a PLY property before any element");
          }
          Property p =
              t[1].equals("list") ? new Property(t[4], t[3], t[2]) : new Property(t[2], t[1], null);
          elements.getLast().properties().add(p);
        }
        default -> {}
      }
    }
    if (format == null) {
      throw new ModelingException("modeling:import.malformed", "the PLY header has no format");
    }
    PlyReader in =
        switch (format) {
          case "ascii" ->
              new AsciiPly(new String(bytes, body, bytes.length - body, StandardCharsets.US_ASCII));
          case "binary_little_endian" ->
              new BinaryPly(
                  ByteBuffer.wrap(bytes, body, bytes.length - body).order(ByteOrder.LITTLE_ENDIAN));
          case "binary_big_endian" ->
              new BinaryPly(
                  ByteBuffer.wrap(bytes, body, bytes.length - body).order(ByteOrder.BIG_ENDIAN));
          default ->
              throw new ModelingException(
                  "modeling:import.malformed", "unknown PLY format " + format);
        };
    Builder out = new Builder(maxTriangles);
    long available = bytes.length - body;
    for (Element e : elements) {
      // each row takes at least one byte (binary) or one character (ASCII)
      if (e.count() < 0 || e.count() > available) {
        throw new ModelingException(
            "modeling:import.malformed",
            "PLY element " + e.name() + " counts " + e.count() + " rows, more than the file holds");
      }
      for (long row = 0; row < e.count(); row++) {
        double x = 0, y = 0, z = 0;
        List<Integer> face = null;
        for (Property p : e.properties()) {
          if (p.countType() != null) {
            int n = (int) in.next(p.countType());
            List<Integer> values = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
              values.add((int) in.next(p.type()));
            }
            if (p.name().equals("vertex_indices") || p.name().equals("vertex_index")) {
              face = values;
            }
          } else {
            double v = in.next(p.type());
            switch (p.name()) {
              case "x" -> x = v;
              case "y" -> y = v;
              case "z" -> z = v;
              default -> {}
            }
          }
        }
        if (e.name().equals("vertex")) {
          out.add((float) x, (float) y, (float) z);
        } else if (e.name().equals("face") && face != null) {
          for (int i = 1; i + 1 < face.size(); i++) {
            out.triangle(face.get(0), face.get(i), face.get(i + 1));
          }
        }
      }
    }
    return out.mesh();
  }

  private interface PlyReader {
    double next(String type);
  }

  private static final class AsciiPly implements PlyReader {
    private final java.util.Scanner tokens;

    AsciiPly(String text) {
      this.tokens = new java.util.Scanner(text).useLocale(Locale.ROOT);
    }

    @Override
    public double next(String type) {
      if (!tokens.hasNext()) {
        throw new ModelingException("modeling:import.malformed", "the PLY data ends early");
      }
      return Double.parseDouble(tokens.next());
    }
  }

  private record BinaryPly(ByteBuffer in) implements PlyReader {
    @Override
    public double next(String type) {
      return switch (type) {
        case "char", "int8" -> in.get();
        case "uchar", "uint8" -> Byte.toUnsignedInt(in.get());
        case "short", "int16" -> in.getShort();
        case "ushort", "uint16" -> Short.toUnsignedInt(in.getShort());
        case "int", "int32" -> in.getInt();
        case "uint", "uint32" -> Integer.toUnsignedLong(in.getInt());
        case "float", "float32" -> in.getFloat();
        case "double", "float64" -> in.getDouble();
        default ->
            throw new ModelingException("modeling:import.malformed", "unknown PLY type " + type);
      };
    }
  }

  private static int indexOf(byte[] b, String text) {
    byte[] t = text.getBytes(StandardCharsets.US_ASCII);
    int limit = Math.min(b.length, 1 << 16) - t.length;
    outer:
    for (int i = 0; i <= limit; i++) {
      for (int j = 0; j < t.length; j++) {
        if (b[i + j] != t[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static final Map<String, Double> UNITS =
      Map.of(
          "micron", 0.001,
          "millimeter", 1.0,
          "centimeter", 10.0,
          "inch", 25.4,
          "foot", 304.8,
          "meter", 1000.0);

  private record MfObject(float[] points, int[] triangles, List<Component> components) {}

  private record Component(String object, double[] transform) {}

  private static ImportedMesh threeMf(byte[] bytes, int maxTriangles) {
    byte[] model = null;
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        if (e.getName().toLowerCase(Locale.ROOT).endsWith(".model")
            && e.getName().toLowerCase(Locale.ROOT).startsWith("3d/")) {
          model = zip.readNBytes((int) Math.min(MAX_3MF_PART + 1, Integer.MAX_VALUE - 8));
          if (model.length > MAX_3MF_PART) {
            throw new ModelingException(
                "modeling:import.too-large",
                "the 3MF model part unzips to more than " + MAX_3MF_PART + " bytes");
          }
          break;
        }
      }
    } catch (IOException e) {
      throw new ModelingException(
          "modeling:import.malformed", "the 3MF package is not a readable zip", e);
    }
    if (model == null) {
      throw new ModelingException(
          "modeling:import.malformed", "the 3MF package has no 3D/*.model part");
    }
    Map<String, MfObject> objects = new HashMap<>();
    List<Component> build = new ArrayList<>();
    String unit = "millimeter";
    XMLInputFactory factory = XMLInputFactory.newFactory();
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    try (InputStream in = new ByteArrayInputStream(model)) {
      XMLStreamReader x = factory.createXMLStreamReader(in);
      String current = null;
      FloatList points = new FloatList();
      IntList triangles = new IntList();
      List<Component> components = new ArrayList<>();
      int total = 0;
      while (x.hasNext()) {
        int event = x.next();
        if (event == XMLStreamConstants.DTD) {
          // 3MF forbids DTDs; one here is an attempt at entity expansion or an external fetch
          throw new ModelingException(
              "modeling:import.malformed", "the 3MF model declares a DTD, which 3MF forbids");
        }
        if (event == XMLStreamConstants.START_ELEMENT) {
          switch (x.getLocalName()) {
            case "model" -> {
              String u = x.getAttributeValue(null, "unit");
              unit = u == null ? "millimeter" : u;
            }
            case "object" -> {
              current = x.getAttributeValue(null, "id");
              points = new FloatList();
              triangles = new IntList();
              components = new ArrayList<>();
            }
            case "vertex" ->
                points.add(
                    Float.parseFloat(x.getAttributeValue(null, "x")),
                    Float.parseFloat(x.getAttributeValue(null, "y")),
                    Float.parseFloat(x.getAttributeValue(null, "z")));
            case "triangle" -> {
              if (++total > maxTriangles) {
                throw new ModelingException(
                    "modeling:import.too-many-triangles",
                    "more triangles than the limit of " + maxTriangles);
              }
              triangles.add(
                  Integer.parseInt(x.getAttributeValue(null, "v1")),
                  Integer.parseInt(x.getAttributeValue(null, "v2")),
                  Integer.parseInt(x.getAttributeValue(null, "v3")));
            }
            case "component" ->
                components.add(
                    new Component(
                        x.getAttributeValue(null, "objectid"),
                        transform(x.getAttributeValue(null, "transform"))));
            case "item" ->
                build.add(
                    new Component(
                        x.getAttributeValue(null, "objectid"),
                        transform(x.getAttributeValue(null, "transform"))));
            default -> {}
          }
        } else if (event == XMLStreamConstants.END_ELEMENT
            && x.getLocalName().equals("object")
            && current != null) {
          objects.put(current, new MfObject(points.array(), triangles.array(), components));
          current = null;
        }
      }
    } catch (XMLStreamException | IOException e) {
      throw new ModelingException(
          "modeling:import.malformed", "the 3MF model is not well-formed XML", e);
    }
    Double scale = UNITS.get(unit);
    if (scale == null) {
      throw new ModelingException("modeling:import.unit", "unknown 3MF unit " + unit);
    }
    Builder out = new Builder(maxTriangles);
    for (Component item : build) {
      place(objects, item.object(), item.transform(), scale, out, 0);
    }
    return new ImportedMesh(check(out.mesh(), maxTriangles), "3mf", unit, scale);
  }

  /**
   * 3MF transforms are 3x4, row vectors: {@code m00 m01 m02 m10 m11 m12 m20 m21 m22 m30 m31 m32}.
   */
  private static double[] transform(String text) {
    if (text == null || text.isBlank()) {
      return new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
    }
    String[] t = text.strip().split("\\s+");
    if (t.length != 12) {
      throw new ModelingException("modeling:import.malformed", "a 3MF transform has 12 numbers");
    }
    double[] m = new double[12];
    for (int i = 0; i < 12; i++) {
      m[i] = Double.parseDouble(t[i]);
    }
    return m;
  }

  private static double[] compose(double[] inner, double[] outer) {
    // p' = (p * inner) * outer with row vectors
    double[] m = new double[12];
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 3; c++) {
        double v = r == 3 ? outer[9 + c] : 0;
        for (int k = 0; k < 3; k++) {
          v += inner[3 * r + k] * outer[3 * k + c];
        }
        m[3 * r + c] = v;
      }
    }
    return m;
  }

  private static void place(
      Map<String, MfObject> objects, String id, double[] m, double scale, Builder out, int depth) {
    MfObject o = objects.get(id);
    if (o == null || depth > 16) {
      throw new ModelingException(
          "modeling:import.malformed",
          "the 3MF build names object " + id + ", which it lacks (or nests too deep)");
    }
    int base = out.vertices;
    float[] p = o.points();
    for (int i = 0; i < p.length; i += 3) {
      double x = p[i] * m[0] + p[i + 1] * m[3] + p[i + 2] * m[6] + m[9];
      double y = p[i] * m[1] + p[i + 1] * m[4] + p[i + 2] * m[7] + m[10];
      double z = p[i] * m[2] + p[i + 1] * m[5] + p[i + 2] * m[8] + m[11];
      out.add((float) (x * scale), (float) (y * scale), (float) (z * scale));
    }
    int[] t = o.triangles();
    for (int i = 0; i < t.length; i += 3) {
      if (Math.max(t[i], Math.max(t[i + 1], t[i + 2])) >= p.length / 3
          || Math.min(t[i], Math.min(t[i + 1], t[i + 2])) < 0) {
        throw new ModelingException(
            "modeling:import.bad-index",
            "a 3MF triangle of object " + id + " names a vertex it lacks");
      }
      out.triangle(base + t[i], base + t[i + 1], base + t[i + 2]);
    }
    for (Component c : o.components()) {
      place(objects, c.object(), compose(c.transform(), m), scale, out, depth + 1);
    }
  }

  private static final class FloatList {
    float[] a = new float[96];
    int n;

    void add(float x, float y, float z) {
      if (n + 3 > a.length) {
        a = java.util.Arrays.copyOf(a, 2 * a.length);
      }
      a[n++] = x;
      a[n++] = y;
      a[n++] = z;
    }

    float[] array() {
      return java.util.Arrays.copyOf(a, n);
    }
  }

  private static final class IntList {
    int[] a = new int[96];
    int n;

    void add(int x, int y, int z) {
      if (n + 3 > a.length) {
        a = java.util.Arrays.copyOf(a, 2 * a.length);
      }
      a[n++] = x;
      a[n++] = y;
      a[n++] = z;
    }

    int[] array() {
      return java.util.Arrays.copyOf(a, n);
    }
  }

  private static String clip(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}

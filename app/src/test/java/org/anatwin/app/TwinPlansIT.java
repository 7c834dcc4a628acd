package org.anatwin.app;

import static org.anatwin.app.GraphQlClient.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.model.TriangleMesh;
import org.anatwin.modeling.Modeling;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Branches, tags, pages of versions, the twinVersions subscription, designs on plan branches,
 * landmarks and the registration they feed, on the synthetic phantom's femur, over the API.
 */
class TwinPlansIT extends ServiceIT {
  @Autowired Ingest ingest;
  @org.springframework.boot.test.web.server.LocalServerPort int port;

  private static final String VERSION_FIELDS =
      "id twinId number branch parent { id } tags structures { name mesh { id volume bounds { minX minY minZ maxX maxY maxZ }"
          + " qa { boundaryEdges nonManifoldEdges degenerateTriangles consistentlyOriented labelMapVolumeMm3"
          + " volumeChange maxDeviationFromUnsmoothedMm repairs } } }"
          + " registrations { structure initialisation rotationDegrees matrix needsReview }";

  private static final String BUILD =
      "mutation($s: String!, $b: String) { buildTwinVersion(input: {seriesUid: $s, branch: $b,"
          + " structures: [{name: \"femur\", minimumHu: 620}]}) { "
          + VERSION_FIELDS
          + " } }";

  private GraphQlClient client;
  private String planner;

  @Test
  void aPlanBranchGrowsFromAVersionWithDesignsLandmarksAndTags() throws Exception {
    Path phantom = tempDir("anatwin-it-plans");
    Ingest.writePhantom(phantom);
    String series =
        ingest
            .importFolder(phantom.resolve("femur"), new Actor("it-admin", "admin"))
            .series()
            .iterator()
            .next();
    client = new GraphQlClient(port);
    planner = client.token("planner");
    String designer = client.token("designer");
    String unique = Long.toString(System.nanoTime(), 36);

    JsonNode v1 = build(series, null);
    // the stored QA report of a mesh made from a label map
    JsonNode femur = v1.get("structures").get(0).get("mesh");
    JsonNode qa = femur.get("qa");
    assertThat(qa.get("boundaryEdges").asInt()).isZero();
    assertThat(qa.get("nonManifoldEdges").asInt()).isZero();
    assertThat(qa.get("degenerateTriangles").asInt()).isZero();
    assertThat(qa.get("consistentlyOriented").asBoolean()).isTrue();
    double labelled = qa.get("labelMapVolumeMm3").asDouble();
    assertThat(labelled).isPositive();
    assertThat(qa.get("volumeChange").asDouble())
        .isCloseTo(
            femur.get("volume").asDouble() / labelled - 1,
            org.assertj.core.data.Offset.offset(1e-9))
        .isBetween(-0.2, 0.2);
    assertThat(qa.get("maxDeviationFromUnsmoothedMm").isNumber()).isTrue();
    assertThat(qa.get("maxDeviationFromUnsmoothedMm").asDouble()).isBetween(0.0, 2.0);
    assertThat(qa.get("repairs").isArray()).isTrue();
    String twinId = v1.get("twinId").asString();
    BlockingQueue<JsonNode> pushed = new LinkedBlockingQueue<>();
    var socket =
        client.subscribe(
            planner,
            "subscription($t: ID!) { twinVersions(twinId: $t) { id number branch } }",
            Map.of("t", twinId),
            pushed);

    // a branch from version 1, and a version built on it
    String branch = "trial-" + unique;
    JsonNode created =
        client
            .data(
                planner,
                "mutation($v: ID!, $n: String!) { createBranch(fromVersionId: $v, name: $n) { name head { id } base { id } createdBy } }",
                Map.of("v", v1.get("id").asString(), "n", branch))
            .get("createBranch");
    assertThat(created.get("base").get("id").asString()).isEqualTo(v1.get("id").asString());
    assertThat(created.get("head").get("id").asString()).isEqualTo(v1.get("id").asString());
    JsonNode v2 = build(series, branch);
    assertThat(v2.get("branch").asString()).isEqualTo(branch);
    assertThat(v2.get("parent").get("id").asString()).isEqualTo(v1.get("id").asString());
    JsonNode note = pushed.poll(60, TimeUnit.SECONDS);
    assertThat(note).as("the subscription pushes the new version").isNotNull();
    assertThat(note.get("payload").get("data").get("twinVersions").get("id").asString())
        .isEqualTo(v2.get("id").asString());

    // refusals of branches
    var buildVars = new HashMap<String, Object>(Map.of("s", series, "b", "no-such-" + unique));
    assertThat(errorCode(client.post(planner, BUILD, buildVars)))
        .isEqualTo("versioning:branch.unknown");
    String createBranch =
        "mutation($v: ID!, $n: String!) { createBranch(fromVersionId: $v, name: $n) { name } }";
    assertThat(
            errorCode(
                client.post(
                    planner, createBranch, Map.of("v", v1.get("id").asString(), "n", branch))))
        .isEqualTo("versioning:branch.exists");
    assertThat(
            errorCode(
                client.post(
                    planner, createBranch, Map.of("v", v1.get("id").asString(), "n", "Main"))))
        .isEqualTo("versioning:branch.name");

    // tags name one version for good
    String tag = "pre-op-" + unique;
    String tagVersion =
        "mutation($v: ID!, $t: String!) { tagVersion(versionId: $v, tag: $t, note: \"shown to the team\") { id tags } }";
    assertThat(
            client
                .data(planner, tagVersion, Map.of("v", v2.get("id").asString(), "t", tag))
                .get("tagVersion")
                .get("tags")
                .toString())
        .contains(tag);
    assertThat(
            errorCode(
                client.post(planner, tagVersion, Map.of("v", v1.get("id").asString(), "t", tag))))
        .isEqualTo("versioning:tag.exists");

    // versions paged by branch, and tagged lookup
    JsonNode twin =
        client
            .data(
                planner,
                """
                query($t: ID!, $b: String!, $tag: String!) { twin(id: $t) {
                  onBranch: versions(branch: $b) { totalCount nodes { id } }
                  first: versions(first: 1) { totalCount edges { cursor node { number } } pageInfo { hasNextPage endCursor } }
                  tagged(tag: $tag) { id }
                  branches { name head { id } }
                } }""",
                Map.of("t", twinId, "b", branch, "tag", tag))
            .get("twin");
    assertThat(twin.get("onBranch").get("totalCount").asInt()).isEqualTo(1);
    assertThat(twin.get("onBranch").get("nodes").get(0).get("id").asString())
        .isEqualTo(v2.get("id").asString());
    assertThat(twin.get("tagged").get("id").asString()).isEqualTo(v2.get("id").asString());
    JsonNode first = twin.get("first");
    assertThat(first.get("totalCount").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(first.get("edges").size()).isEqualTo(1);
    assertThat(first.get("pageInfo").get("hasNextPage").asBoolean()).isTrue();
    JsonNode second =
        client
            .data(
                planner,
                "query($t: ID!, $a: String!) { twin(id: $t) { versions(first: 1, after: $a) { edges { node { number } } } } }",
                Map.of("t", twinId, "a", first.get("pageInfo").get("endCursor").asString()))
            .get("twin")
            .get("versions")
            .get("edges");
    assertThat(second.get(0).get("node").get("number").asInt())
        .isGreaterThan(first.get("edges").get(0).get("node").get("number").asInt());

    landmarks(v1, v2);
    designs(v2, designer, unique, pushed);
    socket.abort();
  }

  /** Landmarks on two versions feed a registration: Horn's start, then ICP on the surfaces. */
  private void landmarks(JsonNode v1, JsonNode v2) throws Exception {
    double[] b = bounds(v1);
    double[][] points = {
      {lerp(b[0], b[3], 0.3), lerp(b[1], b[4], 0.3), lerp(b[2], b[5], 0.2)},
      {lerp(b[0], b[3], 0.7), lerp(b[1], b[4], 0.4), lerp(b[2], b[5], 0.5)},
      {lerp(b[0], b[3], 0.4), lerp(b[1], b[4], 0.7), lerp(b[2], b[5], 0.8)},
      {lerp(b[0], b[3], 0.6), lerp(b[1], b[4], 0.6), lerp(b[2], b[5], 0.3)}
    };
    // version 2's landmarks placed 2 mm off: the surfaces, identical here, must win
    double[] shift = {1.2, -0.9, 1.3};
    String add =
        "mutation($v: ID!, $k: AnnotationKind!, $l: String!, $p: PointInput, $x: String) {"
            + " addAnnotation(input: {versionId: $v, kind: $k, label: $l, position: $p, text: $x}) { id kind label position { x y z } author } }";
    for (int i = 0; i < points.length; i++) {
      double[] p = points[i];
      client.data(planner, add, annotation(v1, "LANDMARK", "L" + i, p, null));
      client.data(
          planner,
          add,
          annotation(
              v2,
              "LANDMARK",
              "L" + i,
              new double[] {p[0] + shift[0], p[1] + shift[1], p[2] + shift[2]},
              null));
    }
    assertThat(
            errorCode(client.post(planner, add, annotation(v1, "LANDMARK", "L0", points[0], null))))
        .isEqualTo("versioning:annotation.duplicate-landmark");
    assertThat(
            errorCode(
                client.post(
                    planner,
                    add,
                    annotation(
                        v1, "LANDMARK", "far", new double[] {b[3] + 500, b[4], b[5]}, null))))
        .isEqualTo("versioning:annotation.outside");
    assertThat(
            errorCode(client.post(planner, add, annotation(v1, "LANDMARK", "nowhere", null, null))))
        .isEqualTo("versioning:annotation.position");
    JsonNode noted =
        client
            .data(
                planner, add, annotation(v2, "NOTE", "plan", null, "osteotomy 2 cm below the head"))
            .get("addAnnotation");
    assertThat(noted.get("kind").asString()).isEqualTo("NOTE");

    String register =
        "mutation($v: ID!) { registerWithLandmarks(versionId: $v, structure: \"femur\") { registration annotations { label } registrations { id structure initialisation rotationDegrees matrix needsReview } } }";
    JsonNode registered =
        client
            .data(planner, register, Map.of("v", v2.get("id").asString()))
            .get("registerWithLandmarks");
    System.out.println("landmark registration: " + registered);
    JsonNode r = registered.get("registrations").get(0);
    assertThat(registered.get("registrations").size())
        .as("one current registration per structure")
        .isEqualTo(1);
    assertThat(r.get("initialisation").asString())
        .startsWith("landmarks (4 pairs, fiducial error 0.00 mm)");
    assertThat(r.get("needsReview").asBoolean()).isFalse();
    // landmarks said 2 mm; the identical surfaces say 0: the registration ends near the identity
    double[] c = {lerp(b[0], b[3], 0.5), lerp(b[1], b[4], 0.5), lerp(b[2], b[5], 0.5)};
    double[] m = new double[12];
    for (int i = 0; i < 12; i++) {
      m[i] = r.get("matrix").get(i).asDouble();
    }
    double dx = m[0] * c[0] + m[1] * c[1] + m[2] * c[2] + m[3] - c[0];
    double dy = m[4] * c[0] + m[5] * c[1] + m[6] * c[2] + m[7] - c[1];
    double dz = m[8] * c[0] + m[9] * c[1] + m[10] * c[2] + m[11] - c[2];
    assertThat(Math.sqrt(dx * dx + dy * dy + dz * dz))
        .as("displacement at the centre, mm")
        .isLessThan(0.1);
    assertThat(registered.get("annotations").size()).isEqualTo(5);
    // the registration re-derives from the recorded landmarks and the stored meshes
    JsonNode report =
        client
            .data(
                client.token("quality"),
                "query($e: ID!) { reproduce(entity: $e) { matched steps { algorithm status } checks: steps { checks { property matches } } } }",
                Map.of("e", r.get("id").asString()))
            .get("reproduce");
    assertThat(report.get("matched").asBoolean()).as(report.toString()).isTrue();
    assertThat(report.get("checks").toString())
        .contains("{\"property\":\"transformSha256\",\"matches\":true}")
        .doesNotContain("\"matches\":false");
    assertThat(report.get("steps").toString())
        .contains(
            "{\"algorithm\":\"anatwin.registration.landmarks-then-icp\",\"status\":\"MATCHED\"}");
    assertThat(errorCode(client.post(planner, register, Map.of("v", v1.get("id").asString()))))
        .isIn("versioning:registration.no-parent", "registration:landmarks.too-few");
    assertThat(
            client
                .post(client.token("designer"), register, Map.of("v", v2.get("id").asString()))
                .body()
                .get("errors"))
        .isNotNull();
  }

  /** A design made on version 2 lands on a plan branch; bad designs are refused by code. */
  private void designs(JsonNode v2, String designer, String unique, BlockingQueue<JsonNode> pushed)
      throws Exception {
    double[] b = bounds(v2);
    double[] centre = {lerp(b[0], b[3], 0.5), lerp(b[1], b[4], 0.5), lerp(b[2], b[5], 0.5)};
    TriangleMesh guide = sphere(centre, 8, 4);
    String upload =
        """
        mutation($v: ID!, $n: String!, $c: String!, $f: String, $u: LengthUnit, $b: String) {
          uploadDesign(input: {versionId: $v, name: $n, kind: GUIDE, fileName: $f, content: $c, unit: $u, branch: $b}) {
            id structure designKind volume qa { watertight manifold } sha256 } }""";
    String name = "cutting guide " + unique;
    JsonNode mesh =
        client
            .data(
                designer, upload, design(v2, name, Modeling.toStl(guide), "guide.stl", null, null))
            .get("uploadDesign");
    assertThat(mesh.get("designKind").asString()).isEqualTo("GUIDE");
    assertThat(mesh.get("qa").get("watertight").asBoolean()).isTrue();
    assertThat(mesh.get("volume").asDouble())
        .isCloseTo(4.0 / 3 * Math.PI * 512, org.assertj.core.data.Percentage.withPercentage(2));
    String plan = "plan/" + name.replace(' ', '-');
    JsonNode planVersion = null;
    for (JsonNode b2 :
        client
            .data(
                planner,
                "query($t: ID!) { twin(id: $t) { branches { name head { id branch parent { id } structures { name mesh { id designKind } } } } } }",
                Map.of("t", v2.get("twinId").asString()))
            .get("twin")
            .get("branches")) {
      if (b2.get("name").asString().equals(plan)) {
        planVersion = b2.get("head");
      }
    }
    assertThat(planVersion).as("the plan branch " + plan).isNotNull();
    assertThat(planVersion.get("parent").get("id").asString()).isEqualTo(v2.get("id").asString());
    assertThat(planVersion.get("structures").toString())
        .contains("femur")
        .contains(mesh.get("id").asString());
    JsonNode pushedPlan = pushed.poll(60, TimeUnit.SECONDS);
    assertThat(pushedPlan).isNotNull();
    assertThat(pushedPlan.get("payload").get("data").get("twinVersions").get("branch").asString())
        .isEqualTo(plan);
    // the design's lineage reaches the version it was designed on
    JsonNode lineage =
        client
            .data(
                planner,
                "query($m: ID!) { lineage(of: $m, depth: 3) { nodes { id } } }",
                Map.of("m", mesh.get("id").asString()))
            .get("lineage");
    assertThat(lineage.toString()).contains(v2.get("id").asString());
    // the same branch has moved on: a second design on version 2 would fork it
    assertThat(
            errorCode(
                client.post(
                    designer,
                    upload,
                    design(v2, name, Modeling.toStl(guide), "guide.stl", null, null))))
        .isEqualTo("versioning:version.conflict");

    // a hole too large to fill (a finer sphere's top half cut away) is refused
    TriangleMesh open = withoutCap(sphere(centre, 8, 5), centre[2]);
    assertThat(Modeling.report(open).boundaryEdges()).isGreaterThan(Modeling.SMALL_HOLE_EDGES);
    assertThat(
            errorCode(
                client.post(
                    designer,
                    upload,
                    design(v2, "open " + unique, Modeling.toStl(open), "g.stl", null, null))))
        .isEqualTo("versioning:design.not-closed");
    // a small hole (one triangle missing) is filled, and the QA report says so
    TriangleMesh holed =
        new TriangleMesh(
            guide.points(),
            java.util.Arrays.copyOf(guide.triangles(), guide.triangles().length - 3));
    JsonNode repaired =
        client
            .data(
                designer,
                """
                mutation($v: ID!, $n: String!, $c: String!, $f: String) {
                  uploadDesign(input: {versionId: $v, name: $n, kind: GUIDE, fileName: $f, content: $c}) {
                    id triangleCount volume qa { watertight manifold boundaryEdges degenerateTriangles
                      consistentlyOriented labelMapVolumeMm3 repairs } } }""",
                design(v2, "holed " + unique, Modeling.toStl(holed), "g.stl", null, null))
            .get("uploadDesign");
    assertThat(repaired.get("qa").get("watertight").asBoolean()).isTrue();
    assertThat(repaired.get("qa").get("boundaryEdges").asInt()).isZero();
    assertThat(repaired.get("qa").get("consistentlyOriented").asBoolean()).isTrue();
    assertThat(repaired.get("qa").get("labelMapVolumeMm3").isNull()).isTrue();
    assertThat(repaired.get("triangleCount").asInt()).isGreaterThanOrEqualTo(guide.triangleCount());
    assertThat(repaired.get("qa").get("repairs").toString())
        .contains("filled 1 holes of at most 64 edges");
    assertThat(repaired.get("volume").asDouble())
        .isCloseTo(
            Modeling.report(guide).volume(), org.assertj.core.data.Percentage.withPercentage(0.1));
    // both uploads re-derive from their stored files: read, placed, repaired, same STL
    for (String design : List.of(mesh.get("id").asString(), repaired.get("id").asString())) {
      JsonNode report =
          client
              .data(
                  client.token("quality"),
                  "query($e: ID!) { reproduce(entity: $e) { matched steps { algorithm status } } }",
                  Map.of("e", design))
              .get("reproduce");
      assertThat(report.get("matched").asBoolean()).as(report.toString()).isTrue();
      assertThat(report.get("steps").toString())
          .contains("{\"algorithm\":\"anatwin.design.upload\",\"status\":\"MATCHED\"}");
    }
    assertThat(
            errorCode(
                client.post(
                    designer,
                    upload,
                    design(v2, "metres " + unique, Modeling.toStl(guide), "g.stl", "METER", null))))
        .isEqualTo("versioning:design.units");
    TriangleMesh far = sphere(new double[] {centre[0] + 400, centre[1], centre[2]}, 8, 2);
    assertThat(
            errorCode(
                client.post(
                    designer,
                    upload,
                    design(v2, "far " + unique, Modeling.toStl(far), "g.stl", null, null))))
        .isEqualTo("versioning:design.outside-frame");
    assertThat(
            errorCode(
                client.post(
                    designer,
                    upload,
                    design(v2, "junk " + unique, "not a mesh".getBytes(), "g.obj", null, null))))
        .isEqualTo("versioning:design.unreadable");
    assertThat(
            errorCode(
                client.post(
                    designer,
                    upload,
                    design(v2, "femur", Modeling.toStl(guide), "g.stl", null, null))))
        .isEqualTo("versioning:design.name-taken");
    assertThat(
            client
                .post(
                    client.token("radiologist"),
                    upload,
                    design(v2, "r " + unique, Modeling.toStl(guide), "g.stl", null, null))
                .body()
                .get("errors"))
        .isNotNull();
  }

  private JsonNode build(String series, String branch) throws Exception {
    Map<String, Object> vars = new HashMap<>();
    vars.put("s", series);
    vars.put("b", branch);
    return client.data(planner, BUILD, vars).get("buildTwinVersion");
  }

  private static Map<String, Object> annotation(
      JsonNode v, String kind, String label, double[] p, String text) {
    Map<String, Object> vars = new HashMap<>();
    vars.put("v", v.get("id").asString());
    vars.put("k", kind);
    vars.put("l", label);
    vars.put("p", p == null ? null : Map.of("x", p[0], "y", p[1], "z", p[2]));
    vars.put("x", text);
    return vars;
  }

  private static Map<String, Object> design(
      JsonNode v, String name, byte[] file, String fileName, String unit, String branch) {
    Map<String, Object> vars = new HashMap<>();
    vars.put("v", v.get("id").asString());
    vars.put("n", name);
    vars.put("c", Base64.getEncoder().encodeToString(file));
    vars.put("f", fileName);
    vars.put("u", unit);
    vars.put("b", branch);
    return vars;
  }

  private static double[] bounds(JsonNode version) {
    JsonNode b = version.get("structures").get(0).get("mesh").get("bounds");
    return new double[] {
      b.get("minX").asDouble(), b.get("minY").asDouble(), b.get("minZ").asDouble(),
      b.get("maxX").asDouble(), b.get("maxY").asDouble(), b.get("maxZ").asDouble()
    };
  }

  private static double lerp(double a, double b, double t) {
    return a + (b - a) * t;
  }

  /** A closed sphere: an octahedron subdivided {@code levels} times, pushed onto the sphere. */
  /** The mesh without the triangles that have a vertex above {@code z}. */
  private static TriangleMesh withoutCap(TriangleMesh mesh, double z) {
    int[] t = mesh.triangles();
    float[] p = mesh.points();
    java.util.List<Integer> kept = new java.util.ArrayList<>();
    for (int i = 0; i < t.length; i += 3) {
      if (p[3 * t[i] + 2] <= z && p[3 * t[i + 1] + 2] <= z && p[3 * t[i + 2] + 2] <= z) {
        kept.add(t[i]);
        kept.add(t[i + 1]);
        kept.add(t[i + 2]);
      }
    }
    return new TriangleMesh(p, kept.stream().mapToInt(Integer::intValue).toArray());
  }

  static TriangleMesh sphere(double[] c, double radius, int levels) {
    return org.anatwin.model.Shapes.sphere(c, radius, levels);
  }
}

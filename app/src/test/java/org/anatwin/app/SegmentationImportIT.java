package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.anatwin.model.SopInstanceUid;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * A planner builds a twin version from a DICOM SEG stored with the CT it was drawn on (dcmqi's
 * liver over three slices of {@code ../shared/data}): one structure per segment, its mesh closed,
 * the SEG instance upstream of the mesh in lineage; refusals leave the twin as it was.
 */
class SegmentationImportIT extends ServiceIT {
  private static final String BUILD =
      "mutation($i: BuildTwinVersionInput!) { buildTwinVersion(input: $i) {"
          + " id twinId number segmentationState"
          + " structures { name mesh { id triangleCount volume qa { watertight manifold } } } } }";

  @LocalServerPort int port;

  private static String value(Path file, com.pixelmed.dicom.AttributeTag tag) throws Exception {
    AttributeList list = new AttributeList();
    list.read(file.toFile(), TagFromName.PixelData);
    return Attribute.getSingleStringValueOrEmptyString(list, tag);
  }

  @Test
  void aPlannerBuildsAVersionFromAStoredSegAndItsMeshLeadsBackToTheSeg() throws Exception {
    Path data = Path.of(System.getProperty("anatwin.shared", "../shared")).resolve("data");
    Path seg = data.resolve("seg-dcmqi");
    Path folder = tempDir("anatwin-it-seg-import");
    for (String name : List.of("01.dcm", "02.dcm", "03.dcm")) {
      Files.copy(seg.resolve("ct-3slice").resolve(name), folder.resolve("ct-" + name));
    }
    Files.copy(seg.resolve("liver.dcm"), folder.resolve("liver.dcm"));
    Files.copy(data.resolve("rtstruct-dicompyler/rtss.dcm"), folder.resolve("rtss.dcm"));
    String ctSeries = value(folder.resolve("ct-01.dcm"), TagFromName.SeriesInstanceUID);
    String ctInstance = value(folder.resolve("ct-01.dcm"), TagFromName.SOPInstanceUID);
    String liver = value(folder.resolve("liver.dcm"), TagFromName.SOPInstanceUID);
    String otherPatients = value(folder.resolve("rtss.dcm"), TagFromName.SOPInstanceUID);

    GraphQlClient api = new GraphQlClient(port);
    api.importFolder(folder);
    String planner = api.token("planner");

    JsonNode version =
        api.data(
                planner,
                BUILD,
                Map.of(
                    "i",
                    Map.of("seriesUid", ctSeries, "segmentation", Map.of("sopInstanceUid", liver))))
            .get("buildTwinVersion");
    assertThat(version.get("segmentationState").asString()).isEqualTo("PROPOSED");
    JsonNode structures = version.get("structures");
    assertThat(structures).hasSize(1);
    assertThat(structures.get(0).get("name").asString()).isEqualTo("Liver");
    JsonNode mesh = structures.get(0).get("mesh");
    assertThat(mesh.get("triangleCount").asInt()).isPositive();
    assertThat(mesh.get("volume").asDouble()).isPositive();
    assertThat(mesh.get("qa").get("watertight").asBoolean()).isTrue();

    JsonNode lineage =
        api.data(
                planner,
                "query($m: ID!) { lineage(of: $m, direction: UPSTREAM) { nodes { id kind } } }",
                Map.of("m", mesh.get("id").asString()))
            .get("lineage")
            .get("nodes");
    List<String> upstream = lineage.valueStream().map(n -> n.get("id").asString()).toList();
    assertThat(upstream)
        .as("the SEG and the CT slices are upstream of the mesh")
        .contains(SopInstanceUid.of(liver).entityId(), SopInstanceUid.of(ctInstance).entityId());
    // the mesh re-derives from the stored SEG: the segment read again, its surface made again
    JsonNode report =
        api.data(
                api.token("quality"),
                "query($e: ID!) { reproduce(entity: $e) { matched steps { algorithm status } } }",
                Map.of("e", mesh.get("id").asString()))
            .get("reproduce");
    assertThat(report.get("matched").asBoolean()).as(report.toString()).isTrue();
    assertThat(report.get("steps").toString())
        .contains("{\"algorithm\":\"anatwin.import.dicom-seg\",\"status\":\"MATCHED\"}")
        .contains("{\"algorithm\":\"anatwin.surface.vtk-flying-edges\",\"status\":\"MATCHED\"}");

    String twinId = version.get("twinId").asString();
    int versions = versionCount(api, planner, twinId);
    record Refusal(Map<String, Object> input, String code) {}
    List<Refusal> refusals =
        List.of(
            new Refusal(
                Map.of(
                    "seriesUid",
                    ctSeries,
                    "segmentation",
                    Map.of("sopInstanceUid", liver, "segments", List.of(7))),
                "versioning:segmentation.no-segment"),
            new Refusal(
                Map.of(
                    "seriesUid", ctSeries, "segmentation", Map.of("sopInstanceUid", otherPatients)),
                "versioning:segmentation.other-patient"),
            new Refusal(
                Map.of("seriesUid", ctSeries, "segmentation", Map.of("sopInstanceUid", ctInstance)),
                "modeling:segmentation.sop-class"),
            new Refusal(
                Map.of(
                    "seriesUid",
                    ctSeries,
                    "segmentation",
                    Map.of("sopInstanceUid", "1.2.826.0.1.3680043.10.404")),
                "ingest:instance.unknown"),
            new Refusal(
                Map.of(
                    "seriesUid",
                    ctSeries,
                    "structures",
                    List.of(Map.of("name", "bone", "minimumHu", 300)),
                    "segmentation",
                    Map.of("sopInstanceUid", liver)),
                "api:version.structures-and-segmentation"));
    for (Refusal refusal : refusals) {
      GraphQlClient.Response r = api.post(planner, BUILD, Map.of("i", refusal.input()));
      assertThat(GraphQlClient.errorCode(r))
          .as(refusal.input().toString())
          .isEqualTo(refusal.code());
    }
    assertThat(versionCount(api, planner, twinId))
        .as("no refusal made a version")
        .isEqualTo(versions);

    // a designer may not build versions, from a segmentation neither
    GraphQlClient.Response designer =
        api.post(
            api.token("designer"),
            BUILD,
            Map.of(
                "i",
                Map.of("seriesUid", ctSeries, "segmentation", Map.of("sopInstanceUid", liver))));
    assertThat(GraphQlClient.errorClass(designer)).isEqualTo("FORBIDDEN");
  }

  private static int versionCount(GraphQlClient api, String token, String twinId) throws Exception {
    return api.data(token, "query($t: ID!) { twin(id: $t) { versionCount } }", Map.of("t", twinId))
        .get("twin")
        .get("versionCount")
        .asInt();
  }
}

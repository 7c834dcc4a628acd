package org.anatwin.modeling.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.anatwin.model.TriangleMesh;
import org.junit.jupiter.api.Test;

class MeshRepairTests {
  /** A tetrahedron whose apex appears twice (vertices 3 and 4), plus a sliver on the copies. */
  @Test
  void weldsCoincidentVerticesAndDropsTheTrianglesThatCollapse() {
    float[] points = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1};
    int[] triangles = {0, 2, 1, 0, 1, 3, 1, 2, 4, 2, 0, 3, 3, 4, 1};
    MeshRepair.Result result =
        MeshRepair.weldAndDropDegenerate(new TriangleMesh(points, triangles));
    assertThat(result.mesh().vertexCount()).isEqualTo(4);
    assertThat(result.mesh().triangleCount()).isEqualTo(4);
    assertThat(MeshMath.report(result.mesh()).watertight()).isTrue();
    assertThat(MeshMath.report(result.mesh()).volume())
        .isCloseTo(1.0 / 6, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(result.changes())
        .containsExactly("welded 1 coincident vertices", "removed 1 degenerate triangles");
  }

  @Test
  void aCleanMeshIsReturnedUnchanged() {
    float[] points = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    int[] triangles = {0, 2, 1, 0, 1, 3, 1, 2, 3, 2, 0, 3};
    TriangleMesh mesh = new TriangleMesh(points, triangles);
    MeshRepair.Result result = MeshRepair.weldAndDropDegenerate(mesh);
    assertThat(result.mesh()).isSameAs(mesh);
    assertThat(result.changes()).isEmpty();
  }

  /** Two tetrahedra sharing one edge (0-1): four triangles on it until the sheets are split. */
  @Test
  void sheetsTouchingAlongAnEdgeAreSeparatedWithoutOpeningIt() {
    float[] points = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, -1, 0, 0, 0, -1};
    int[] triangles = {
      0, 2, 1, 0, 1, 3, 1, 2, 3, 2, 0, 3, // first tetrahedron
      0, 1, 4, 0, 5, 1, 1, 5, 4, 4, 5, 0 // second, on the other side of edge 0-1
    };
    TriangleMesh mesh = new TriangleMesh(points, triangles);
    assertThat(MeshMath.report(mesh).manifold()).isFalse();
    MeshRepair.Result result = MeshRepair.splitNonManifold(mesh);
    var report = MeshMath.report(result.mesh());
    assertThat(report.watertight()).isTrue();
    assertThat(report.shells()).isEqualTo(2);
    assertThat(result.mesh().vertexCount()).isEqualTo(8);
    assertThat(result.changes()).containsExactly("split 2 vertices where separate sheets touched");
  }

  /** An octahedron with two opposite faces missing: two three-edge holes, both filled. */
  @Test
  void smallHolesAreClosedWithTrianglesWoundLikeTheirNeighbours() {
    float[] points = {1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1};
    int[] all = {0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5};
    TriangleMesh octahedron = new TriangleMesh(points, all);
    double volume = MeshMath.report(octahedron).volume();
    int[] holed = new int[all.length - 6];
    System.arraycopy(all, 3, holed, 0, 15);
    System.arraycopy(all, 21, holed, 15, 3);
    // faces 0 (0,2,4) and 6 (3,1,5) removed
    MeshRepair.Result result = MeshRepair.fillSmallHoles(new TriangleMesh(points, holed), 8);
    var report = MeshMath.report(result.mesh());
    assertThat(report.watertight()).isTrue();
    assertThat(report.consistentlyOriented()).isTrue();
    assertThat(report.volume()).isCloseTo(volume, org.assertj.core.api.Assertions.within(1e-6));
    assertThat(result.changes())
        .containsExactly("filled 2 holes of at most 8 edges with 6 triangles");

    // holes larger than the limit stay open, and nothing is reported
    MeshRepair.Result none = MeshRepair.fillSmallHoles(new TriangleMesh(points, holed), 2);
    assertThat(none.changes()).isEmpty();
    assertThat(MeshMath.report(none.mesh()).boundaryEdges()).isEqualTo(6);
  }
}

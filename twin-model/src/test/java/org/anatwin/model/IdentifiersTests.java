package org.anatwin.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentifiersTests {
  @Test
  void acceptsWellFormedUidsAndRefusesOthersWithACode() {
    assertThat(SopInstanceUid.of("1.2.840.10008.5.1.4.1.1.2").value())
        .isEqualTo("1.2.840.10008.5.1.4.1.1.2");
    for (String bad : List.of("1.2.abc", "1..2", "01.2", "1.2.", "1." + "1".repeat(63), "")) {
      assertThatThrownBy(() -> SopInstanceUid.of(bad))
          .isInstanceOfSatisfying(
              ModelException.class,
              e -> assertThat(e.code()).isEqualTo("model:sop-instance-uid.invalid"));
    }
  }

  @Test
  void typedIdsHaveTheirPrefixAndRefuseOthers() {
    TwinId twin = TwinId.createDerived("patient-x");
    assertThat(twin.value()).matches("twin-[0-9a-f]{32}");
    assertThatThrownBy(() -> TwinId.parse("mesh-" + "0".repeat(32)))
        .isInstanceOf(ModelException.class);
    assertThatThrownBy(() -> MeshId.parse("mesh-../../etc/passwd"))
        .isInstanceOf(ModelException.class);
  }

  @Test
  void derivedIdsDependOnEveryInputButNotOnMapOrder() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("x", "1");
    a.put("y", "2");
    Map<String, String> b = new LinkedHashMap<>();
    b.put("y", "2");
    b.put("x", "1");
    assertThat(DerivedIds.createId("mesh", "in", a))
        .isEqualTo(DerivedIds.createId("mesh", "in", b));
    assertThat(DerivedIds.createId("mesh", "in", a))
        .isNotEqualTo(DerivedIds.createId("mesh", "in", Map.of("x", "1", "y", "3")));
    assertThat(DerivedIds.createId("mesh", "ab", "c"))
        .isNotEqualTo(DerivedIds.createId("mesh", "a", "bc"));
  }

  @Test
  void activityIdsAreDerivedFromWhatTheyDidNotWhenOrWhoDidIt() {
    Activity first =
        Activity.of(
            "algo",
            "1",
            Map.of("k", "v"),
            List.of("a"),
            List.of("b"),
            List.of(Agent.person("ann")),
            java.time.Instant.EPOCH);
    Activity again =
        Activity.of(
            "algo",
            "1",
            Map.of("k", "v"),
            List.of("a"),
            List.of("b"),
            List.of(Agent.person("bob")),
            java.time.Instant.now());
    assertThat(first.id()).isEqualTo(again.id());
    assertThatThrownBy(
            () ->
                Activity.of(
                    "algo",
                    "1",
                    Map.of(),
                    List.of("a"),
                    List.of(),
                    List.of(),
                    java.time.Instant.EPOCH))
        .isInstanceOf(ModelException.class);
  }

  @Test
  void agentsRefuseIdsThatCouldInjectText() {
    assertThat(Agent.person("demo-planner").id()).isEqualTo("person:demo-planner");
    assertThatThrownBy(() -> Agent.person("x y")).isInstanceOf(ModelException.class);
  }
}

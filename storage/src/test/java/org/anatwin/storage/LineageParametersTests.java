package org.anatwin.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LineageParametersTests {
  @Test
  void recordedParametersReadBackAsWritten() {
    Map<String, String> parameters =
        Map.of(
            "minimumHu", "300",
            "quote\"d", "back\\slash",
            "control", "line\nbreak\u0001",
            "", "",
            "unicode", "Ångström µm");
    assertThat(LineageWriter.decode(LineageWriter.encode(parameters))).isEqualTo(parameters);
    assertThat(LineageWriter.decode("{}")).isEmpty();
    assertThat(LineageWriter.decode(" { \"a\" : \"b\" , \"c\":\"\\u0041\" } "))
        .isEqualTo(Map.of("a", "b", "c", "A"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{",
        "{\"a\"}",
        "{\"a\":1}",
        "{\"a\":\"b\",}",
        "{\"a\":\"b\"} x",
        "[]",
        "{\"a\":\"\\q\"}",
        "{\"a\":\"\\u12\"}"
      })
  void anythingElseIsRefusedWithACode(String text) {
    assertThatThrownBy(() -> LineageWriter.decode(text))
        .isInstanceOfSatisfying(
            StorageException.class,
            e -> assertThat(e.code()).isEqualTo("storage:lineage.parameters"));
  }
}

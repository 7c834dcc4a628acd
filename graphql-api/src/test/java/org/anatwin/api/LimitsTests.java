package org.anatwin.api;

import static org.assertj.core.api.Assertions.assertThat;

import graphql.language.Document;
import graphql.language.FragmentDefinition;
import graphql.language.OperationDefinition;
import graphql.parser.Parser;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LimitsTests {
  private static QueryLimits.Measure measure(String query, Map<String, Object> variables) {
    Document document = Parser.parse(query);
    Map<String, FragmentDefinition> fragments = new HashMap<>();
    document
        .getDefinitionsOfType(FragmentDefinition.class)
        .forEach(f -> fragments.put(f.getName(), f));
    OperationDefinition operation =
        document.getDefinitionsOfType(OperationDefinition.class).getFirst();
    return QueryLimits.measure(operation.getSelectionSet(), fragments, variables, Set.of("list"));
  }

  @Test
  void depthComplexityAndAliasesCountFragmentsAndPages() {
    assertThat(measure("{ a }", Map.of())).isEqualTo(new QueryLimits.Measure(1, 1, 0));
    assertThat(measure("{ a { b { c } } x: d }", Map.of()))
        .isEqualTo(new QueryLimits.Measure(3, 4, 1));
    // the fields under a paged field count once per item asked for
    assertThat(measure("{ list(first: 10) { a b } }", Map.of()).complexity()).isEqualTo(21);
    assertThat(measure("query($n: Int) { list(first: $n) { a } }", Map.of("n", 7)).complexity())
        .isEqualTo(8);
    // no first: the default page (20); more than the cap counts as the cap (100)
    assertThat(measure("{ list(first: 5000) { a } }", Map.of()).complexity()).isEqualTo(101);
    // a paged field asked for without first answers the default page, and counts as one
    assertThat(measure("{ list { a } }", Map.of()).complexity()).isEqualTo(21);
    assertThat(measure("{ other { a } }", Map.of()).complexity()).isEqualTo(2);
    assertThat(measure("query($n: Int) { list(first: $n) { a } }", Map.of()).complexity())
        .isEqualTo(21);
    // fragments and inline fragments are expanded where they are spread
    assertThat(
            measure(
                "{ a { ...F ... on T { y: z { w } } } } fragment F on T { b { c { d } } }",
                Map.of()))
        .isEqualTo(new QueryLimits.Measure(4, 6, 1));
  }

  @Test
  void theRateIsABucketPerUserThatRefills() {
    RequestLimits limits = new RequestLimits(1 << 20, 10, 3);
    long t = 1_000_000_000L;
    assertThat(limits.take("user:a", t)).isZero();
    assertThat(limits.take("user:a", t)).isZero();
    assertThat(limits.take("user:a", t)).isZero();
    // the burst is spent: the next token comes in 1/10 s
    assertThat(limits.take("user:a", t)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(limits.take("user:b", t)).as("another user has their own bucket").isZero();
    assertThat(limits.take("user:a", t + 100_000_000L)).isZero();
    assertThat(limits.take("user:a", t + 100_000_000L)).isPositive();
    // a long pause refills to the burst, not beyond
    long later = t + 60_000_000_000L;
    for (int i = 0; i < 3; i++) {
      assertThat(limits.take("user:a", later)).isZero();
    }
    assertThat(limits.take("user:a", later)).isPositive();
  }
}

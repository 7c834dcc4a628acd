package org.anatwin.api;

import static org.assertj.core.api.Assertions.assertThat;

import graphql.ExecutionInput;
import graphql.GraphQL;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DocumentCacheTests {
  private static final GraphQLSchema SCHEMA =
      new SchemaGenerator()
          .makeExecutableSchema(
              new SchemaParser().parse("type Query { hello(name: String): String }"),
              RuntimeWiring.newRuntimeWiring()
                  .type("Query", t -> t.dataFetcher("hello", e -> "hello " + e.getArgument("name")))
                  .build());

  /** Counts how often the provider asks graphql-java to parse and validate. */
  private static final class Counting
      extends graphql.execution.instrumentation.SimplePerformantInstrumentation {
    final AtomicInteger parses = new AtomicInteger();

    @Override
    public graphql.execution.instrumentation.InstrumentationContext<graphql.language.Document>
        beginParse(
            graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters p,
            graphql.execution.instrumentation.InstrumentationState state) {
      parses.incrementAndGet();
      return null;
    }
  }

  private static GraphQL graphQl(DocumentCache cache, Counting counting) {
    return GraphQL.newGraphQL(SCHEMA)
        .instrumentation(counting)
        .preparsedDocumentProvider(cache)
        .build();
  }

  @Test
  void aQueryIsParsedOnceAndAnsweredWithEachRequestsVariables() {
    DocumentCache cache = new DocumentCache(8);
    Counting counting = new Counting();
    GraphQL graphQl = graphQl(cache, counting);
    String query = "query($n: String) { hello(name: $n) }";
    for (String name : new String[] {"a", "b", "c"}) {
      var result =
          graphQl.execute(
              ExecutionInput.newExecutionInput(query).variables(Map.of("n", name)).build());
      assertThat(result.getErrors()).isEmpty();
      assertThat(result.<Map<String, Object>>getData()).containsEntry("hello", "hello " + name);
    }
    assertThat(counting.parses).hasValue(1);
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void invalidDocumentsAreNotKeptAndStillRefused() {
    DocumentCache cache = new DocumentCache(8);
    Counting counting = new Counting();
    GraphQL graphQl = graphQl(cache, counting);
    for (int i = 0; i < 2; i++) {
      assertThat(graphQl.execute("{ nope }").getErrors()).isNotEmpty();
      assertThat(graphQl.execute("{ hello(").getErrors()).isNotEmpty();
    }
    assertThat(counting.parses).hasValue(4);
    assertThat(cache.size()).isZero();
  }

  @Test
  void theLeastRecentlyUsedDocumentGoesFirst() {
    DocumentCache cache = new DocumentCache(2);
    GraphQL graphQl = graphQl(cache, new Counting());
    graphQl.execute("{ a: hello }");
    graphQl.execute("{ b: hello }");
    graphQl.execute("{ a: hello }");
    graphQl.execute("{ c: hello }");
    assertThat(cache.size()).isEqualTo(2);
    Counting counting = new Counting();
    GraphQL again = graphQl(cache, counting);
    again.execute("{ a: hello }");
    again.execute("{ c: hello }");
    assertThat(counting.parses).hasValue(0);
    again.execute("{ b: hello }");
    assertThat(counting.parses).hasValue(1);
  }
}

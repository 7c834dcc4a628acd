package org.anatwin.api;

import org.springframework.boot.graphql.autoconfigure.GraphQlSourceBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How GraphQL runs here: the API's instrumentations as one ({@link ApiInstrumentation}, in place of
 * the chain Spring builds of them) and a cache of parsed, validated documents ({@link
 * DocumentCache}, 512 query texts).
 */
@Configuration(proxyBeanMethods = false)
public class GraphQlTuning {
  public static final int CACHED_DOCUMENTS = 512;

  @Bean
  DocumentCache documentCache() {
    return new DocumentCache(CACHED_DOCUMENTS);
  }

  @Bean
  GraphQlSourceBuilderCustomizer anatwinGraphQl(
      AccessControl access, QueryLimits limits, PhiReadAudit phi, DocumentCache documents) {
    ApiInstrumentation instrumentation = new ApiInstrumentation(access, limits, phi);
    return builder ->
        builder.configureGraphQl(
            graphQl ->
                graphQl.instrumentation(instrumentation).preparsedDocumentProvider(documents));
  }
}

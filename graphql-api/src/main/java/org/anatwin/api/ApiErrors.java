package org.anatwin.api;

import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.schema.DataFetchingEnvironment;
import java.util.Map;
import org.anatwin.model.AnatwinException;
import org.springframework.graphql.data.method.annotation.GraphQlExceptionHandler;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.web.bind.annotation.ControllerAdvice;

/** Maps every module's coded exceptions to GraphQL errors carrying the stable code. */
@ControllerAdvice
class ApiErrors {
  @GraphQlExceptionHandler
  GraphQLError handle(AnatwinException e, DataFetchingEnvironment env) {
    ErrorType type = e.code().endsWith(".unknown") ? ErrorType.NOT_FOUND : ErrorType.BAD_REQUEST;
    return GraphqlErrorBuilder.newError(env)
        .errorType(type)
        .message(e.getMessage())
        .extensions(Map.of("code", e.code()))
        .build();
  }
}

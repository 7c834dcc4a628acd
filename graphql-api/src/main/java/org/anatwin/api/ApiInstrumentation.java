package org.anatwin.api;

import graphql.ExecutionResult;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationCreateStateParameters;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.execution.instrumentation.parameters.InstrumentationFieldFetchParameters;
import graphql.schema.DataFetcher;
import java.util.concurrent.CompletableFuture;

/**
 * The API's three instrumentations as one, in their order: {@link AccessControl}, then {@link
 * QueryLimits}, both before any resolver runs, and {@link PhiReadAudit} around field fetches and at
 * the end of the request. Spring would chain the three, and a chain calls every hook of every
 * member for every field (most of them empty): on a lineage of 300 nodes with their properties that
 * cost more than resolving the fields did. Here only the hooks the three implement are called.
 */
public final class ApiInstrumentation extends SimplePerformantInstrumentation {
  private final AccessControl access;
  private final QueryLimits limits;
  private final PhiReadAudit phi;

  public ApiInstrumentation(AccessControl access, QueryLimits limits, PhiReadAudit phi) {
    this.access = access;
    this.limits = limits;
    this.phi = phi;
  }

  @Override
  public CompletableFuture<InstrumentationState> createStateAsync(
      InstrumentationCreateStateParameters parameters) {
    return phi.createStateAsync(parameters);
  }

  @Override
  public InstrumentationContext<ExecutionResult> beginExecuteOperation(
      InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
    access.beginExecuteOperation(parameters, state);
    limits.beginExecuteOperation(parameters, state);
    return SimpleInstrumentationContext.noOp();
  }

  @Override
  public DataFetcher<?> instrumentDataFetcher(
      DataFetcher<?> fetcher,
      InstrumentationFieldFetchParameters parameters,
      InstrumentationState state) {
    return phi.instrumentDataFetcher(fetcher, parameters, state);
  }

  @Override
  public CompletableFuture<ExecutionResult> instrumentExecutionResult(
      ExecutionResult result,
      InstrumentationExecutionParameters parameters,
      InstrumentationState state) {
    return phi.instrumentExecutionResult(result, parameters, state);
  }
}

package org.anatwin.api;

import graphql.ExecutionResult;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.AbortExecutionException;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.normalized.ExecutableNormalizedField;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.graphql.execution.ContextPropagationHelper;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.stereotype.Component;

/**
 * Enforces {@link Access} on GraphQL: before any resolver runs, every field the operation selects
 * (root operations and guarded fields, fragments expanded) is checked against the caller's roles,
 * and a request asking for anything the caller may not have is refused whole, with classification
 * {@code FORBIDDEN} and code {@code api:forbidden} naming the fields. Queries, mutations and
 * subscriptions (over WebSocket) pass the same check.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class AccessControl extends SimplePerformantInstrumentation {
  public static final String FORBIDDEN = "api:forbidden";

  @Override
  public InstrumentationContext<ExecutionResult> beginExecuteOperation(
      InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
    ExecutionContext context = parameters.getExecutionContext();
    Set<Access.Role> held = held(context);
    Set<String> denied = new TreeSet<>();
    Deque<ExecutableNormalizedField> fields =
        new ArrayDeque<>(context.getNormalizedQueryTree().get().getTopLevelFields());
    while (!fields.isEmpty()) {
      ExecutableNormalizedField field = fields.pop();
      for (String type : field.getObjectTypeNames()) {
        String name = type + "." + field.getName();
        Access.rule(name).filter(r -> !r.allows(held)).ifPresent(r -> denied.add(name));
        boolean root =
            type.equals("Query") || type.equals("Mutation") || type.equals("Subscription");
        if (root && !field.getName().startsWith("__") && Access.rule(name).isEmpty()) {
          // a root field the matrix does not name is nobody's
          denied.add(name);
        }
      }
      fields.addAll(field.getChildren());
    }
    if (!denied.isEmpty()) {
      throw forbidden(denied, held);
    }
    return SimpleInstrumentationContext.noOp();
  }

  /** The caller's roles: from this thread, or from the context the request captured. */
  private static Set<Access.Role> held(ExecutionContext context) {
    if (CurrentActor.present()) {
      return CurrentActor.held();
    }
    try (var scope =
        ContextPropagationHelper.captureFrom(context.getGraphQLContext()).setThreadLocals()) {
      return CurrentActor.held();
    }
  }

  static AbortExecutionException forbidden(Set<String> fields, Set<Access.Role> held) {
    GraphQLError error =
        GraphqlErrorBuilder.newError()
            .message(
                "not allowed for roles "
                    + (held.isEmpty() ? "(none)" : held)
                    + ": "
                    + String.join(", ", fields)
                    + " (see docs/AUTHORIZATION.md)")
            .errorType(ErrorType.FORBIDDEN)
            .extensions(Map.of("code", FORBIDDEN, "fields", List.copyOf(fields)))
            .build();
    return new AbortExecutionException(List.of(error));
  }
}

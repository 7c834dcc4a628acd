package org.anatwin.api;

import graphql.ErrorClassification;
import graphql.ExecutionResult;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.AbortExecutionException;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.language.Argument;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.IntValue;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.VariableReference;
import graphql.schema.GraphQLNamedType;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Refuses a request before any resolver or database call when its operation is too big: more than
 * one operation in the document, a selection deeper than {@value #MAX_DEPTH}, more than {@value
 * #MAX_ALIASES} aliases, or a complexity above {@value #MAX_COMPLEXITY}. Complexity counts one per
 * field; the fields under a paged field (one with {@code first}) count once per item asked for (20
 * when {@code first} is not given, at most {@link Pages#MAX}). Each refusal carries a stable code
 * in {@code extensions.code}.
 */
@Component
public class QueryLimits extends SimplePerformantInstrumentation {
  public static final int MAX_DEPTH = 10;
  public static final int MAX_COMPLEXITY = 1000;
  public static final int MAX_ALIASES = 20;

  /** What a document asks for, measured. */
  record Measure(int depth, long complexity, int aliases) {}

  @Override
  public InstrumentationContext<ExecutionResult> beginExecuteOperation(
      InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
    var context = parameters.getExecutionContext();
    Document document = context.getDocument();
    long operations =
        document.getDefinitions().stream().filter(d -> d instanceof OperationDefinition).count();
    if (operations > 1) {
      throw refuse(
          "api:query.operations", "a request carries one operation; this one has " + operations);
    }
    Map<String, FragmentDefinition> fragments = new HashMap<>();
    document
        .getDefinitionsOfType(FragmentDefinition.class)
        .forEach(f -> fragments.put(f.getName(), f));
    Measure m =
        measure(
            context.getOperationDefinition().getSelectionSet(),
            fragments,
            context.getCoercedVariables().toMap(),
            paged(context.getGraphQLSchema()));
    if (m.depth() > MAX_DEPTH) {
      throw refuse(
          "api:query.depth",
          "the query is " + m.depth() + " levels deep; at most " + MAX_DEPTH + " are answered");
    }
    if (m.aliases() > MAX_ALIASES) {
      throw refuse(
          "api:query.aliases",
          "the query uses " + m.aliases() + " aliases; at most " + MAX_ALIASES + " are answered");
    }
    if (m.complexity() > MAX_COMPLEXITY) {
      throw refuse(
          "api:query.complexity",
          "the query's complexity is "
              + m.complexity()
              + " (one per field, times the page size under a paged field); at most "
              + MAX_COMPLEXITY
              + " is answered");
    }
    return SimpleInstrumentationContext.noOp();
  }

  /** Depth, complexity and aliases of a selection set, fragments expanded. */
  static Measure measure(
      @Nullable SelectionSet set,
      Map<String, FragmentDefinition> fragments,
      Map<String, Object> variables,
      Set<String> paged) {
    if (set == null) {
      return new Measure(0, 0, 0);
    }
    int depth = 0;
    long complexity = 0;
    int aliases = 0;
    for (Selection<?> selection : set.getSelections()) {
      Measure inner;
      switch (selection) {
        case Field field -> {
          Measure children = measure(field.getSelectionSet(), fragments, variables, paged);
          long items = field.getSelectionSet() == null ? 1 : pageSize(field, variables, paged);
          inner =
              new Measure(
                  children.depth() + 1,
                  Math.min(Long.MAX_VALUE / 4, 1 + items * children.complexity()),
                  children.aliases() + (field.getAlias() == null ? 0 : 1));
        }
        case InlineFragment fragment ->
            inner = measure(fragment.getSelectionSet(), fragments, variables, paged);
        case FragmentSpread spread -> {
          FragmentDefinition definition = fragments.get(spread.getName());
          inner =
              measure(
                  definition == null ? null : definition.getSelectionSet(),
                  fragments,
                  variables,
                  paged);
        }
        default -> inner = new Measure(0, 0, 0);
      }
      depth = Math.max(depth, inner.depth());
      complexity = Math.min(Long.MAX_VALUE / 4, complexity + inner.complexity());
      aliases += inner.aliases();
    }
    return new Measure(depth, complexity, aliases);
  }

  /** Items a paged field asks for: its {@code first} (literal or variable), else 1. */
  private static long pageSize(Field field, Map<String, Object> variables, Set<String> paged) {
    for (Argument argument : field.getArguments()) {
      if (!argument.getName().equals("first")) {
        continue;
      }
      Object value =
          switch (argument.getValue()) {
            case IntValue i -> i.getValue().intValue();
            case VariableReference v -> variables.get(v.getName());
            default -> null;
          };
      return value instanceof Number n ? Pages.size(n.intValue()) : Pages.size(null);
    }
    // a paged field asked for without first: the default page
    return paged.contains(field.getName()) ? Pages.size(null) : 1;
  }

  private volatile @Nullable Set<String> pagedNames;

  /**
   * The names of fields (of any type) that take {@code first}: without it they answer a default
   * page. A name shared with an unpaged field of another type counts as paged (the safe side).
   */
  private Set<String> paged(GraphQLSchema schema) {
    Set<String> names = pagedNames;
    if (names == null) {
      Set<String> found = new HashSet<>();
      for (GraphQLNamedType type : schema.getAllTypesAsList()) {
        if (type instanceof GraphQLObjectType object) {
          object.getFieldDefinitions().stream()
              .filter(f -> f.getArgument("first") != null)
              .forEach(f -> found.add(f.getName()));
        }
      }
      names = Set.copyOf(found);
      pagedNames = names;
    }
    return names;
  }

  private static AbortExecutionException refuse(String code, String message) {
    GraphQLError error =
        GraphqlErrorBuilder.newError()
            .message(message)
            .errorType(Refusal.QUERY_LIMIT)
            .extensions(Map.of("code", code))
            .build();
    return new AbortExecutionException(List.of(error));
  }

  /** The classification of a query refused by these limits. */
  enum Refusal implements ErrorClassification {
    QUERY_LIMIT
  }
}

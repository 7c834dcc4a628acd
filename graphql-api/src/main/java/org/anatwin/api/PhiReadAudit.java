package org.anatwin.api;

import graphql.ExecutionResult;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationCreateStateParameters;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.execution.instrumentation.parameters.InstrumentationFieldFetchParameters;
import graphql.schema.DataFetcher;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicReference;
import org.anatwin.model.Actor;
import org.anatwin.model.AuditEvent;
import org.anatwin.model.AuditSink;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Audits reads of patient data: every GraphQL request that returns a PHI field (a patient's name,
 * id or birth date, a label's patient or clinical note, a lineage node's patient properties) to a
 * user who sees PHI appends exactly one {@code phi.read} event naming whose data was read; a
 * request that returns none appends none.
 */
@Component
public class PhiReadAudit extends SimplePerformantInstrumentation {
  /** Fields whose values are PHI, as {@code Type.field}. */
  static final Set<String> PHI_FIELDS =
      Set.of(
          "Patient.name",
          "Patient.patientId",
          "Patient.birthDate",
          "ArtefactLabel.patientName",
          "ArtefactLabel.patientId",
          "ArtefactLabel.birthDate",
          "ArtefactLabel.clinicalNote",
          "LineageNode.properties",
          "LineageNode.property");

  /** The field names of {@link #PHI_FIELDS}, checked first. */
  private static final Set<String> PHI_FIELD_NAMES =
      PHI_FIELDS.stream()
          .map(f -> f.substring(f.indexOf('.') + 1))
          .collect(java.util.stream.Collectors.toUnmodifiableSet());

  /** Lineage properties that are PHI. */
  public static final List<String> PHI_PROPERTIES = List.of("patientId", "name", "birthDate");

  private final AuditSink audit;

  public PhiReadAudit(AuditSink audit) {
    this.audit = audit;
  }

  /** What one request read: whose data, and who read it. */
  static final class Reads implements InstrumentationState {
    final Set<String> subjects = new ConcurrentSkipListSet<>();
    final AtomicReference<@Nullable Actor> reader = new AtomicReference<>();
  }

  @Override
  public CompletableFuture<InstrumentationState> createStateAsync(
      InstrumentationCreateStateParameters parameters) {
    return CompletableFuture.completedFuture(new Reads());
  }

  @Override
  public DataFetcher<?> instrumentDataFetcher(
      DataFetcher<?> fetcher,
      InstrumentationFieldFetchParameters parameters,
      InstrumentationState state) {
    var env = parameters.getEnvironment();
    GraphQLFieldDefinition field = env.getFieldDefinition();
    // called for every field of every object: the name alone rules out almost all of them
    if (!PHI_FIELD_NAMES.contains(field.getName())
        || !(env.getParentType() instanceof GraphQLObjectType parent)
        || !PHI_FIELDS.contains(parent.getName() + "." + field.getName())
        || !(state instanceof Reads reads)) {
      return fetcher;
    }
    return e -> {
      Object value = fetcher.get(e);
      Object argument = e.getArgument("name");
      boolean named =
          !field.getName().equals("property") || PHI_PROPERTIES.contains(String.valueOf(argument));
      if (!named) {
        return value;
      }
      // the reader is looked up on the fetching thread (a later stage may run elsewhere)
      Actor reader = reads.reader.get() == null ? reader(e) : null;
      java.util.function.Consumer<@Nullable Object> record =
          v -> {
            // the controllers return PHI only to those who may see it: a value here was read
            if (carriesPhi(field.getName(), v)) {
              reads.subjects.add(subject(e.getSource()));
              if (reader != null) {
                reads.reader.compareAndSet(null, reader);
              }
            }
          };
      if (value instanceof java.util.concurrent.CompletionStage<?> later) {
        // a controller run on its own (virtual) thread: recorded when it answers
        return later.thenApply(
            v -> {
              record.accept(v);
              return v;
            });
      }
      record.accept(value);
      return value;
    };
  }

  /** The signed-in user, from this thread or from the request's captured context. */
  private static @Nullable Actor reader(graphql.schema.DataFetchingEnvironment e) {
    if (CurrentActor.present()) {
      return CurrentActor.get();
    }
    try (var scope =
        org.springframework.graphql.execution.ContextPropagationHelper.captureFrom(
                e.getGraphQlContext())
            .setThreadLocals()) {
      return CurrentActor.present() ? CurrentActor.get() : null;
    }
  }

  /** Whether the value read holds patient data (a lineage node's properties only when PHI). */
  private static boolean carriesPhi(String field, @Nullable Object value) {
    if (value == null || (value instanceof String s && s.isEmpty())) {
      return false;
    }
    if (field.equals("properties") && value instanceof List<?> properties) {
      return properties.stream()
          .anyMatch(p -> p instanceof PhiProperty named && PHI_PROPERTIES.contains(named.name()));
    }
    return true;
  }

  /** A lineage property as the API returns it (name and value). */
  public interface PhiProperty {
    String name();
  }

  /** Whose data: a patient's id, an artefact's serial, a lineage node's id. */
  private static String subject(@Nullable Object source) {
    if (source instanceof Map<?, ?> map && map.get("id") instanceof String id) {
      return id;
    }
    if (source instanceof Subject s) {
      return s.subjectId();
    }
    return String.valueOf(source);
  }

  /** A GraphQL object that names the record its PHI belongs to. */
  public interface Subject {
    String subjectId();
  }

  @Override
  public CompletableFuture<ExecutionResult> instrumentExecutionResult(
      ExecutionResult result,
      InstrumentationExecutionParameters parameters,
      InstrumentationState state) {
    if (state instanceof Reads reads && !reads.subjects.isEmpty() && reads.reader.get() != null) {
      Actor actor = reads.reader.get();
      audit.append(
          AuditEvent.success(
              Instant.now(),
              actor,
              "phi.read",
              List.copyOf(reads.subjects),
              "PHI returned by a GraphQL request"));
    }
    return CompletableFuture.completedFuture(result);
  }
}

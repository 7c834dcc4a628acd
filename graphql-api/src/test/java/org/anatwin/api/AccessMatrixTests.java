package org.anatwin.api;

import static org.assertj.core.api.Assertions.assertThat;

import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeDefinitionRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The matrix names every operation of the schema and nothing else, and {@code
 * docs/AUTHORIZATION.md} is its current rendering (run with {@code -Daccess.write=true} to
 * regenerate it).
 */
class AccessMatrixTests {
  private static final Path DOC = Path.of("..", "docs", "AUTHORIZATION.md");

  private static TypeDefinitionRegistry schema() throws IOException {
    TypeDefinitionRegistry registry = new TypeDefinitionRegistry();
    try (Stream<Path> files = Files.list(Path.of("src/main/resources/graphql"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".graphqls")).toList()) {
        registry.merge(new SchemaParser().parse(Files.readString(f)));
      }
    }
    return registry;
  }

  private static Set<String> operations(TypeDefinitionRegistry registry, String root) {
    Set<String> names = new TreeSet<>();
    registry
        .getType(root)
        .ifPresent(
            t ->
                ((graphql.language.ObjectTypeDefinition) t)
                    .getFieldDefinitions()
                    .forEach(f -> names.add(root + "." + f.getName())));
    registry.objectTypeExtensions().getOrDefault(root, java.util.List.of()).stream()
        .flatMap(e -> e.getFieldDefinitions().stream())
        .forEach(f -> names.add(root + "." + f.getName()));
    return names;
  }

  @Test
  void everyOperationOfTheSchemaHasExactlyOneRule() throws IOException {
    TypeDefinitionRegistry registry = schema();
    assertThat(operations(registry, "Query"))
        .containsExactlyInAnyOrderElementsOf(Access.names(Access.Kind.QUERY));
    assertThat(operations(registry, "Mutation"))
        .containsExactlyInAnyOrderElementsOf(Access.names(Access.Kind.MUTATION));
    assertThat(operations(registry, "Subscription"))
        .containsExactlyInAnyOrderElementsOf(Access.names(Access.Kind.SUBSCRIPTION));
    // guarded fields exist in the schema
    for (String field : Access.names(Access.Kind.FIELD)) {
      String[] parts = field.split("\\.");
      var type = (graphql.language.ObjectTypeDefinition) registry.getType(parts[0]).orElseThrow();
      assertThat(type.getFieldDefinitions()).anyMatch(f -> f.getName().equals(parts[1]));
    }
  }

  @Test
  void patientIdentityIsForTheCareTeamAndAdminsAndBreakGlassForQualityOfficersOnly() {
    assertThat(Access.seesPatientIdentity(EnumSet.of(Access.Role.designer))).isFalse();
    assertThat(Access.seesPatientIdentity(EnumSet.of(Access.Role.quality))).isFalse();
    assertThat(Access.seesPatientIdentity(EnumSet.noneOf(Access.Role.class))).isFalse();
    assertThat(Access.seesPatientIdentity(EnumSet.of(Access.Role.designer, Access.Role.planner)))
        .isTrue();
    assertThat(Access.rule("Mutation.reidentify").orElseThrow().roles())
        .containsExactly(Access.Role.quality);
    // signatures are the radiologist's own: no admin stand-in
    assertThat(Access.rule("Mutation.approvePrintOrder").orElseThrow().roles())
        .containsExactly(Access.Role.radiologist);
  }

  @Test
  void theDocumentIsTheMatrix() throws IOException {
    String expected = Access.markdown();
    if (Boolean.getBoolean("access.write")) {
      Files.writeString(DOC, expected, StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(DOC)).as(DOC + " (regenerate with -Daccess.write=true)").isTrue();
    assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
        .as(DOC + " is stale: regenerate with -Daccess.write=true")
        .isEqualTo(expected);
  }
}

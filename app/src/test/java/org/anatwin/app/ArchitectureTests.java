package org.anatwin.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/** The module rules of DESIGN.md, checked on the compiled main code of every module. */
class ArchitectureTests {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          // modules' test jars (shared test shapes) are tests too
          .withImportOption(location -> !location.contains("-tests.jar"))
          .importPackages("org.anatwin");

  private static final String MODEL = "org.anatwin.model..";
  private static final String STORAGE = "org.anatwin.storage..";
  private static final String INGEST = "org.anatwin.ingest..";
  private static final String MODELING = "org.anatwin.modeling..";
  private static final String REGISTRATION = "org.anatwin.registration..";
  private static final String VERSIONING = "org.anatwin.versioning..";
  private static final String PRINT = "org.anatwin.printorders..";
  private static final String AUDIT = "org.anatwin.audit..";
  private static final String API = "org.anatwin.api..";
  private static final String APP = "org.anatwin.app..";

  @Test
  void importedTheWholeProject() {
    // guards the rules below against passing on an empty import
    for (String module :
        new String[] {MODEL, STORAGE, INGEST, MODELING, VERSIONING, PRINT, AUDIT, API, APP}) {
      String pkg = module.replace("..", "");
      org.assertj.core.api.Assertions.assertThat(
              CLASSES.stream().anyMatch(c -> c.getPackageName().startsWith(pkg)))
          .as("classes of %s", pkg)
          .isTrue();
    }
  }

  @Test
  void modulesDependOnlyOnWhatTheDesignAllows() {
    allowed(MODEL, "org.apache.commons.geometry..", "org.apache.commons.numbers..");
    allowedModules(STORAGE, MODEL);
    allowedModules(INGEST, MODEL, STORAGE);
    allowedModules(MODELING, MODEL);
    allowedModules(REGISTRATION, MODEL);
    allowedModules(VERSIONING, MODEL, STORAGE, MODELING, REGISTRATION);
    allowedModules(PRINT, MODEL, STORAGE, MODELING, REGISTRATION);
    allowedModules(AUDIT, MODEL, STORAGE);
    allowedModules(API, MODEL, STORAGE, INGEST, MODELING, REGISTRATION, VERSIONING, PRINT, AUDIT);
  }

  private static void allowed(String module, String... others) {
    String[] packages = new String[others.length + 3];
    packages[0] = module;
    packages[1] = "java..";
    packages[2] = "org.jspecify..";
    System.arraycopy(others, 0, packages, 3, others.length);
    classes()
        .that()
        .resideInAPackage(module)
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(packages)
        .check(CLASSES);
  }

  private static void allowedModules(String module, String... allowedModules) {
    java.util.List<String> all =
        java.util.List.of(
            MODEL, STORAGE, INGEST, MODELING, REGISTRATION, VERSIONING, PRINT, AUDIT, API, APP);
    java.util.List<String> forbidden =
        all.stream()
            .filter(m -> !m.equals(module) && !java.util.List.of(allowedModules).contains(m))
            .toList();
    if (!forbidden.isEmpty()) {
      noClasses()
          .that()
          .resideInAPackage(module)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(forbidden.toArray(String[]::new))
          .check(CLASSES);
    }
  }

  @Test
  void noPackageCycles() {
    slices().matching("org.anatwin.(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void authorizationIsDecidedInTheMatrixAlone() {
    // docs/AUTHORIZATION.md is rendered from org.anatwin.api.Access; a role check anywhere else
    // would be a rule the matrix (and its generated tests) does not know
    noClasses()
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.springframework.security.access.prepost.PreAuthorize")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("org.springframework.security.access.annotation.Secured")
        .check(CLASSES);
  }

  @Test
  void onlyStorageAndPersistencePackagesUseTheNeo4jDriver() {
    noClasses()
        .that()
        .resideOutsideOfPackages(STORAGE, "..persistence..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.neo4j.driver..")
        .check(CLASSES);
  }

  @Test
  void onlyTheApiAndTheAppKnowSpringWebAndGraphQl() {
    noClasses()
        .that()
        .resideOutsideOfPackages(API, APP, "org.anatwin.ingest.dicomweb..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.springframework.graphql..", "org.springframework.web..", "graphql..")
        .check(CLASSES);
  }

  @Test
  void featureModulesKnowNothingOfSpring() {
    noClasses()
        .that()
        .resideInAnyPackage(
            MODEL, STORAGE, INGEST, MODELING, REGISTRATION, VERSIONING, PRINT, AUDIT)
        .and()
        .resideOutsideOfPackage("org.anatwin.ingest.dicomweb..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.springframework..")
        .check(CLASSES);
  }

  @Test
  void noModuleUsesAnotherModulesInternals() {
    for (String module :
        new String[] {
          "storage", "ingest", "modeling", "registration", "versioning", "printorders", "audit"
        }) {
      noClasses()
          .that()
          .resideOutsideOfPackage("org.anatwin." + module + "..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.anatwin." + module + ".internal..")
          .check(CLASSES);
    }
  }

  @Test
  void everyPackageIsNullMarked() {
    classes()
        .that()
        .haveSimpleName("package-info")
        .should()
        .beAnnotatedWith(NullMarked.class)
        .check(CLASSES);
    var packages = CLASSES.stream().map(c -> c.getPackage()).distinct().toList();
    for (var pkg : packages) {
      org.assertj.core.api.Assertions.assertThat(pkg.tryGetAnnotationOfType(NullMarked.class))
          .as("@NullMarked on %s", pkg.getName())
          .isPresent();
    }
  }
}

package org.anatwin.api;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may do what: every query, mutation and subscription, every field held back from some roles,
 * who sees patient identity, and every HTTP endpoint, by role. It is the one place authorization is
 * decided: {@link AccessControl} refuses GraphQL requests from it before any resolver runs, the
 * service's security filter guards the HTTP endpoints from it, {@link CurrentActor#seesPhi()} reads
 * its PHI rule, and {@code docs/AUTHORIZATION.md} is rendered from it ({@link #markdown()}).
 */
public final class Access {
  /** The roles of the system, as Keycloak realm roles are named. */
  public enum Role {
    planner,
    designer,
    radiologist,
    technician,
    quality,
    admin;

    public static Optional<Role> of(String name) {
      for (Role r : values()) {
        if (r.name().equals(name)) {
          return Optional.of(r);
        }
      }
      return Optional.empty();
    }
  }

  /** What a rule guards. */
  public enum Kind {
    QUERY("Query"),
    MUTATION("Mutation"),
    SUBSCRIPTION("Subscription"),
    /** A field of another type that some roles may not ask for (the request is refused). */
    FIELD("field"),
    /** Patient identity: those without the role get the pseudonym (or a 403 for DICOM files). */
    PHI("PHI"),
    /** An HTTP endpoint outside GraphQL. */
    HTTP("HTTP");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /**
   * One row of the matrix. {@code name} is {@code Type.field} for GraphQL rules, a method and path
   * pattern for HTTP ({@code GET /files/meshes/{file}}), {@link #PATIENT_IDENTITY} for PHI.
   */
  public record Rule(Kind kind, String name, Set<Role> roles, String note) {
    public boolean allows(Set<Role> held) {
      return held.stream().anyMatch(roles::contains);
    }

    /** For an HTTP rule: the method. */
    public String method() {
      return name.substring(0, name.indexOf(' '));
    }

    /** For an HTTP rule: the path pattern. */
    public String path() {
      return name.substring(name.indexOf(' ') + 1);
    }
  }

  /** The PHI rule's name. */
  public static final String PATIENT_IDENTITY = "patient identity";

  private static final Set<Role> ALL = EnumSet.allOf(Role.class);
  private static final Set<Role> AUDITORS = EnumSet.of(Role.quality, Role.admin);

  private static final Map<String, Rule> RULES = new LinkedHashMap<>();

  static {
    Role planner = Role.planner;
    Role designer = Role.designer;
    Role radiologist = Role.radiologist;
    Role technician = Role.technician;
    Role quality = Role.quality;
    Role admin = Role.admin;

    query("about", ALL, "the service's name, version and graph");
    query("twins", ALL, "");
    query("twin", ALL, "");
    query("twinVersion", ALL, "");
    query("mesh", ALL, "");
    query("patients", ALL, "designers and quality officers search by pseudonym only");
    query("patient", ALL, "");
    query("series", ALL, "");
    query("lineage", ALL, "patient properties only for those who see patient identity");
    query("printOrder", ALL, "");
    query("printOrders", ALL, "the print queue, newest first");
    query("artefact", ALL, "the label names the patient only for those who see patient identity");
    query("printers", ALL, "");
    query("recall", EnumSet.of(quality, technician, admin), "");
    query("auditEvents", AUDITORS, "reading the trail is itself audited");
    query("verifyAuditLog", AUDITORS, "");
    query("auditInclusionProof", AUDITORS, "");
    query("auditConsistencyProof", AUDITORS, "");
    query("auditCheckpoints", AUDITORS, "");
    query("reproduce", AUDITORS, "");
    query("segmentationModels", ALL, "");

    mutation("importFolder", EnumSet.of(admin), "a folder on the server's disk");
    mutation("sendSeries", EnumSet.of(admin), "to a configured DICOM destination");
    mutation("buildTwinVersion", EnumSet.of(planner, admin), "");
    mutation(
        "proposeTwinVersion",
        EnumSet.of(planner, radiologist, admin),
        "a model's proposal: PROPOSED until a radiologist signs it");
    mutation("acceptRegistration", EnumSet.of(radiologist, planner), "with a reason");
    mutation("approveSegmentation", EnumSet.of(radiologist), "a signature: the radiologist's own");
    mutation(
        "correctSegmentation",
        EnumSet.of(radiologist),
        "the radiologist's own thresholds replace a proposal, signed by them");
    mutation("createBranch", EnumSet.of(planner, designer), "");
    mutation("tagVersion", EnumSet.of(planner, radiologist), "");
    mutation("uploadDesign", EnumSet.of(designer, planner), "");
    mutation("addAnnotation", EnumSet.of(planner, radiologist, designer), "");
    mutation("registerWithLandmarks", EnumSet.of(planner, radiologist), "");
    mutation("createPrintOrder", EnumSet.of(planner, designer, admin), "");
    mutation("approvePrintOrder", EnumSet.of(radiologist), "a signature: the radiologist's own");
    mutation("preparePrintOrder", EnumSet.of(technician, admin), "");
    mutation("submitPrintJob", EnumSet.of(technician, admin), "");
    mutation("recordArtefactQa", EnumSet.of(technician, quality, admin), "");
    mutation("cancelPrintOrder", EnumSet.of(planner, technician, admin), "with a reason");
    mutation("deliverArtefact", EnumSet.of(technician, quality, admin), "");
    mutation(
        "reidentify",
        EnumSet.of(quality),
        "break-glass: a pseudonym's patient identity, with a reason, audited as phi.break-glass");

    subscription("twinVersions", ALL, "");
    subscription(
        "printJobEvents", EnumSet.of(technician, planner, radiologist, quality, admin), "");

    rule(Kind.FIELD, "LineageGraph.fhirProvenance", AUDITORS, "FHIR Provenance bundle");

    rule(
        Kind.PHI,
        PATIENT_IDENTITY,
        EnumSet.of(planner, radiologist, technician, admin),
        "patient name, patient id and birth date on Patient, Artefact.label and lineage nodes,"
            + " and the DICOM objects that name the patient (.dcm downloads);"
            + " everyone else gets the stable pseudonym, null, or 403 for those files");

    http("POST /api/import", EnumSet.of(admin), "import a folder on the server's disk");
    http(
        "POST /api/models",
        EnumSet.of(admin),
        "register a segmentation model: a zip of descriptor.json and one .onnx file");
    http("POST /dicomweb/studies", EnumSet.of(admin, radiologist, technician), "STOW-RS");
    http("GET /files/meshes/{file}", ALL, ".dcm files: patient identity only");
    http("GET /files/diffs/**", ALL, "");
    http("GET /files/registrations/**", ALL, "DICOM objects: patient identity only");
    http("GET /files/preparations/**", ALL, "");
    http("GET /files/artefacts/**", ALL, "");
    http("POST /graphql", ALL, "each operation as above");
    http("GET /graphql", ALL, "the WebSocket handshake for subscriptions");
  }

  private Access() {}

  private static void query(String field, Set<Role> roles, String note) {
    rule(Kind.QUERY, "Query." + field, roles, note);
  }

  private static void mutation(String field, Set<Role> roles, String note) {
    rule(Kind.MUTATION, "Mutation." + field, roles, note);
  }

  private static void subscription(String field, Set<Role> roles, String note) {
    rule(Kind.SUBSCRIPTION, "Subscription." + field, roles, note);
  }

  private static void http(String endpoint, Set<Role> roles, String note) {
    rule(Kind.HTTP, endpoint, roles, note);
  }

  private static void rule(Kind kind, String name, Set<Role> roles, String note) {
    if (RULES.put(name, new Rule(kind, name, Set.copyOf(roles), note)) != null) {
      throw new IllegalStateException("two rules for " + name);
    }
  }

  /** Every rule, in the order of the table. */
  public static List<Rule> rules() {
    return List.copyOf(RULES.values());
  }

  /** The rule for a name ({@code Query.twins}, {@code GET /files/meshes/{file}}), if any. */
  public static Optional<Rule> rule(String name) {
    return Optional.ofNullable(RULES.get(name));
  }

  /** Role names (for Spring Security's {@code hasAnyRole}) of a rule. */
  public static String[] roleNames(Rule rule) {
    return rule.roles().stream().sorted().map(Role::name).toArray(String[]::new);
  }

  /** Whether roles held see patient identity. */
  public static boolean seesPatientIdentity(Set<Role> held) {
    return RULES.get(PATIENT_IDENTITY).allows(held);
  }

  /** The matrix as the Markdown table of {@code docs/AUTHORIZATION.md}. */
  public static String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("# Authorization matrix\n\n")
        .append("Generated from `graphql-api/src/main/java/org/anatwin/api/Access.java` (the one")
        .append(" place it is decided);\n`AccessMatrixTests` fails when this file differs from")
        .append(" it, and `AuthorizationMatrixIT` (embedded issuer)\nand `KeycloakIT` (real")
        .append(" Keycloak) test every cell, allowed and denied. A token with none of these\n")
        .append("roles gets 403 on every endpoint. A denied GraphQL operation is refused whole,")
        .append(" before any resolver\nruns, with `extensions.code` `api:forbidden`.\n\n");
    out.append("| kind | operation |");
    for (Role r : Role.values()) {
      out.append(' ').append(r.name()).append(" |");
    }
    out.append(" note |\n|---|---|");
    out.append("---|".repeat(Role.values().length)).append("---|\n");
    for (Rule rule : RULES.values()) {
      out.append("| ").append(rule.kind().label).append(" | `").append(rule.name()).append("` |");
      for (Role r : Role.values()) {
        out.append(rule.roles().contains(r) ? " yes |" : " no |");
      }
      out.append(' ').append(rule.note()).append(" |\n");
    }
    out.append("\nRoles come from the token's `realm_access.roles` (Keycloak's realm roles; the")
        .append(" embedded issuer\nwrites the same claim). Other realm roles a token carries")
        .append(" (`offline_access`, `default-roles-*`)\ngrant nothing.\n");
    return out.toString();
  }

  /** The names of rules of one kind. */
  public static Set<String> names(Kind kind) {
    return RULES.values().stream()
        .filter(r -> r.kind() == kind)
        .map(Rule::name)
        .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
  }
}

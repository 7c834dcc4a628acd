package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.anatwin.api.Access;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The production profile against real Keycloak: Keycloak (the Maven Central distribution, {@code
 * start-dev} on loopback) imports the shipped realm ({@code deploy/keycloak/anatwin-realm.json}),
 * the packaged service starts with {@code --spring.profiles.active=production} pointing at it, and
 * the whole authorization matrix runs with Keycloak's tokens, one service client per role as an
 * operator would add them. Also: tokens without the service's audience are refused, and the
 * production profile has no introspection, no GraphiQL and no embedded issuer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeycloakIT {
  private static final String REALM = "anatwin";
  private static final Path REALM_FILE =
      Path.of(System.getProperty("user.dir")).resolveSibling("deploy/keycloak/anatwin-realm.json");

  private final HttpClient http = HttpClient.newHttpClient();
  private final String adminPassword = UUID.randomUUID().toString();
  private final Map<Access.Role, String> tokens = new EnumMap<>(Access.Role.class);
  private Peer keycloak;
  private Peer service;
  private String keycloakBase;
  private int servicePort;
  private String adminToken;
  private String noRoles;

  @BeforeAll
  void start() throws Exception {
    Path home = Path.of(System.getProperty("anatwin.keycloak.home", "target/keycloak/none"));
    assertThat(home.resolve("bin/kc.sh"))
        .as("the Keycloak distribution (unpacked by Maven)")
        .exists();
    Path work = Files.createTempDirectory("anatwin-keycloak-it");
    Path imports = home.resolve("data/import");
    Files.createDirectories(imports);
    Files.copy(
        REALM_FILE, imports.resolve("anatwin-realm.json"), StandardCopyOption.REPLACE_EXISTING);
    int port = Peer.freePort();
    keycloakBase = "http://127.0.0.1:" + port;
    keycloak =
        Peer.start(
                "Keycloak",
                List.of(
                    "/bin/sh",
                    home.resolve("bin/kc.sh").toString(),
                    "start-dev",
                    "--http-host=127.0.0.1",
                    "--http-port=" + port,
                    "--http-management-port=" + Peer.freePort(),
                    "--hostname=" + keycloakBase,
                    "--db=dev-mem",
                    "--cache=local",
                    "--import-realm"),
                Map.of(
                    "JAVA_HOME",
                    System.getProperty("java.home"),
                    "KC_BOOTSTRAP_ADMIN_USERNAME",
                    "admin",
                    "KC_BOOTSTRAP_ADMIN_PASSWORD",
                    adminPassword),
                work.resolve("keycloak.log"))
            .awaitReady(
                keycloakBase + "/realms/" + REALM + "/.well-known/openid-configuration",
                s -> s == 200,
                Duration.ofMinutes(4));
    adminToken =
        tokenFrom(
            "master",
            "grant_type=password&client_id=admin-cli&username=admin&password=" + adminPassword);
    for (Access.Role role : Access.Role.values()) {
      tokens.put(role, serviceClientToken("it-" + role, role.name(), true));
    }
    noRoles = serviceClientToken("it-none", null, true);

    servicePort = Peer.freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    service =
        Peer.start(
                "the service",
                List.of(
                    java,
                    "-Xmx1g",
                    "-Djava.library.path=/usr/lib/x86_64-linux-gnu/java/vtk-Linux-x86_64",
                    "--enable-native-access=ALL-UNNAMED",
                    "-jar",
                    System.getProperty("anatwin.service.jar", "target/anatwin.jar"),
                    "--spring.profiles.active=production",
                    "--server.port=" + servicePort,
                    "--anatwin.home=" + work.resolve("home"),
                    "--anatwin.dicom.port=0"),
                Map.of("ANATWIN_ISSUER_URI", keycloakBase + "/realms/" + REALM),
                work.resolve("service.log"))
            .awaitReady(
                "http://127.0.0.1:" + servicePort + "/graphql",
                s -> s == 401,
                Duration.ofMinutes(3));
  }

  @AfterAll
  void stop() throws Exception {
    if (service != null) {
      service.close();
    }
    if (keycloak != null) {
      keycloak.close();
    }
  }

  /**
   * A confidential client with a service account holding {@code role} (none when null), and, when
   * {@code audience}, the realm's audience mapper; returns a client-credentials token for it.
   */
  private String serviceClientToken(String clientId, String role, boolean audience)
      throws Exception {
    String secret = clientId + "-" + UUID.randomUUID();
    Map<String, Object> mapper =
        Map.of(
            "name", "anatwin-api audience",
            "protocol", "openid-connect",
            "protocolMapper", "oidc-audience-mapper",
            "config",
                Map.of(
                    "included.custom.audience", "anatwin-api",
                    "access.token.claim", "true",
                    "id.token.claim", "false"));
    Map<String, Object> client =
        Map.of(
            "clientId", clientId,
            "secret", secret,
            "publicClient", false,
            "serviceAccountsEnabled", true,
            "standardFlowEnabled", false,
            "directAccessGrantsEnabled", false,
            "protocolMappers", audience ? List.of(mapper) : List.of());
    HttpResponse<String> created = admin("POST", "/clients", GraphQlClient.writeJson(client));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String location = created.headers().firstValue("Location").orElseThrow();
    String id = location.substring(location.lastIndexOf('/') + 1);
    if (role != null) {
      String user =
          GraphQlClient.readJson(
                  admin("GET", "/clients/" + id + "/service-account-user", null).body())
              .get("id")
              .asString();
      String roleJson = admin("GET", "/roles/" + role, null).body();
      HttpResponse<String> mapped =
          admin("POST", "/users/" + user + "/role-mappings/realm", "[" + roleJson + "]");
      assertThat(mapped.statusCode()).as(mapped.body()).isEqualTo(204);
    }
    return tokenFrom(
        REALM,
        "grant_type=client_credentials&client_id="
            + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
            + "&client_secret="
            + URLEncoder.encode(secret, StandardCharsets.UTF_8));
  }

  private HttpResponse<String> admin(String method, String path, String json) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(keycloakBase + "/admin/realms/" + REALM + path))
            .header("Authorization", "Bearer " + adminToken);
    if (json == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String tokenFrom(String realm, String form) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        keycloakBase + "/realms/" + realm + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return GraphQlClient.readJson(r.body()).get("access_token").asString();
  }

  /**
   * The viewer in production: a person of the realm with the planner role signs in on Keycloak's
   * own login page (the realm's public client, authorization code with PKCE) and the viewer reads
   * the API with the token it got (the audience mapper of the shipped client included).
   */
  @Test
  void aPlannerSignsInToTheViewerOnKeycloaksLoginPage() throws Exception {
    String user = "it-viewer-planner";
    String password = UUID.randomUUID().toString();
    Map<String, Object> person =
        Map.of(
            "username",
            user,
            "enabled",
            true,
            "email",
            user + "@hospital.test",
            "emailVerified",
            true,
            "firstName",
            "Viewer",
            "lastName",
            "Planner",
            "credentials",
            List.of(Map.of("type", "password", "value", password, "temporary", false)));
    HttpResponse<String> created = admin("POST", "/users", GraphQlClient.writeJson(person));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String location = created.headers().firstValue("Location").orElseThrow();
    String userId = location.substring(location.lastIndexOf('/') + 1);
    HttpResponse<String> mapped =
        admin(
            "POST",
            "/users/" + userId + "/role-mappings/realm",
            "[" + admin("GET", "/roles/planner", null).body() + "]");
    assertThat(mapped.statusCode()).as(mapped.body()).isEqualTo(204);
    // the shipped client redirects to the service at port 8080; this service has its own port
    String clientId =
        GraphQlClient.readJson(admin("GET", "/clients?clientId=anatwin-web", null).body())
            .get(0)
            .get("id")
            .asString();
    tools.jackson.databind.node.ObjectNode client =
        (tools.jackson.databind.node.ObjectNode)
            GraphQlClient.readJson(admin("GET", "/clients/" + clientId, null).body());
    client.withArray("redirectUris").add("http://127.0.0.1:" + servicePort + "/*");
    HttpResponse<String> updated =
        admin("PUT", "/clients/" + clientId, GraphQlClient.writeJson(client));
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(204);

    tools.jackson.databind.JsonNode seen =
        ViewerScript.run(
            Map.of(
                "baseUrl",
                "http://127.0.0.1:" + servicePort,
                "signInOnly",
                Map.of("user", user, "password", password)));
    assertThat(seen.get("signedInAs").asString()).isEqualTo(user);
    assertThat(seen.get("who").asString()).contains("planner");
    assertThat(seen.get("heading").asString()).isEqualTo("Twins");
    assertThat(seen.get("alerts").size()).as("errors shown: %s", seen).isZero();
    assertThat(seen.get("pageErrors").size()).as("script errors: %s", seen).isZero();
  }

  @TestFactory
  List<DynamicTest> everyCellOfTheMatrixWithKeycloakTokens() {
    return new AuthorizationCells(servicePort, new GraphQlClient(servicePort), tokens::get, noRoles)
        .cells();
  }

  @Test
  void aKeycloakTokenWithoutTheServicesAudienceIsRefused() throws Exception {
    String stray = serviceClientToken("it-no-audience", "planner", false);
    var cells = new AuthorizationCells(servicePort, new GraphQlClient(servicePort), r -> "", "");
    var about = AuthorizationCells.SAMPLES.get("Query.about");
    assertThat(cells.send(about, tokens.get(Access.Role.planner)).statusCode()).isEqualTo(200);
    assertThat(cells.send(about, stray).statusCode()).isEqualTo(401);
  }

  @Test
  void productionHasNoIntrospectionNoGraphiqlNoSuggestionsAndNoEmbeddedIssuer() throws Exception {
    GraphQlClient client = new GraphQlClient(servicePort);
    String planner = tokens.get(Access.Role.planner);
    GraphQlClient.Response introspection =
        client.post(planner, "{ __schema { types { name } } }", Map.of());
    assertThat(introspection.body().has("errors")).as(introspection.body().toString()).isTrue();
    assertThat(
            introspection.body().path("data").path("__schema").isMissingNode()
                || introspection.body().path("data").path("__schema").isNull())
        .isTrue();
    GraphQlClient.Response typo = client.post(planner, "{ twinz { id } }", Map.of());
    String message = typo.body().path("errors").path(0).path("message").asString();
    assertThat(message).isNotEmpty().doesNotContain("Did you mean").doesNotContain("twins");
    HttpResponse<String> graphiql =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servicePort + "/graphiql"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(graphiql.statusCode()).isNotEqualTo(200);
    HttpResponse<String> issuer =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servicePort + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "grant_type=client_credentials&client_id=demo-admin&client_secret=demo-admin-secret"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(issuer.statusCode()).isIn(401, 403, 404);
    assertThat(issuer.body()).doesNotContain("access_token");
  }
}

package org.anatwin.app;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.anatwin.api.Access;
import org.anatwin.api.CurrentActor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Identity. The service is an OAuth 2 resource server: every API request carries a JWT, and realm
 * roles are read from {@code realm_access.roles} as Keycloak writes them; what each role may do is
 * {@link Access}, enforced for HTTP here and for GraphQL by {@code AccessControl}. A token holding
 * none of the system's roles gets 403 everywhere.
 *
 * <p>With {@code anatwin.security.issuer-uri} set (the {@code production} profile: Keycloak) tokens
 * are checked against that issuer's keys, and against {@code anatwin.security.audience} when set.
 * Without it (the default profile) tokens come from an embedded OIDC issuer (Spring Security's
 * authorization server) with one demo client per role ({@code demo-<role>}, client-credentials
 * grant), signed with an RSA key kept in the data folder so tokens survive a restart. For the
 * viewer, the embedded issuer also signs in one demo user per role ({@code demo-<role>}, password
 * {@code demo-<role>-secret}) with a login form, for the public client {@code anatwin-web}
 * (authorization code with PKCE, redirect to the service's own root on the loopback address), the
 * client the shipped Keycloak realm has too.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {
  /** Verified bearer tokens remembered until they expire (see {@link CachingJwtDecoder}). */
  static final int VERIFIED_TOKENS = 10_000;

  private static final String ROLES_CLAIM = "realm_access";
  private static final String EMBEDDED = "'${anatwin.security.issuer-uri:}'.isBlank()";

  /** The viewer's public client, in the embedded issuer and in the shipped Keycloak realm. */
  static final String VIEWER_CLIENT = "anatwin-web";

  /** The viewer's files (no data: it asks the API with the user's token) and its configuration. */
  static final String[] VIEWER_FILES = {
    "/", "/index.html", "/assets/**", "/favicon.svg", ViewerConfiguration.PATH
  };

  @Bean
  @Order(3)
  SecurityFilterChain api(HttpSecurity http) throws Exception {
    String[] everyRole = CurrentActor.ROLES.toArray(String[]::new);
    http.authorizeHttpRequests(
            a -> {
              a.requestMatchers("/graphiql", "/graphiql/**", "/error", "/actuator/health")
                  .permitAll();
              a.requestMatchers(HttpMethod.GET, VIEWER_FILES).permitAll();
              for (Access.Rule rule : Access.rules()) {
                if (rule.kind() == Access.Kind.HTTP) {
                  a.requestMatchers(HttpMethod.valueOf(rule.method()), rule.path())
                      .hasAnyRole(Access.roleNames(rule));
                }
              }
              a.anyRequest().hasAnyRole(everyRole);
            })
        .csrf(c -> c.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.jwtAuthenticationConverter(realmRoles())));
    return http.build();
  }

  /**
   * A bearer token comes in the {@code Authorization} header; only a browser's WebSocket handshake
   * for subscriptions, which cannot set headers, may carry it as the {@code access_token} query
   * parameter instead (RFC 6750 section 2.3).
   */
  @Bean
  BearerTokenResolver bearerTokens() {
    DefaultBearerTokenResolver header = new DefaultBearerTokenResolver();
    DefaultBearerTokenResolver handshake = new DefaultBearerTokenResolver();
    handshake.setAllowUriQueryParameter(true);
    return request ->
        "websocket".equalsIgnoreCase(request.getHeader("Upgrade"))
                && "/graphql".equals(request.getRequestURI())
            ? handshake.resolve(request)
            : header.resolve(request);
  }

  /** Maps {@code realm_access.roles} to {@code ROLE_<role>} authorities. */
  static JwtAuthenticationConverter realmRoles() {
    JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
    converter.setJwtGrantedAuthoritiesConverter(SecurityConfiguration::authorities);
    converter.setPrincipalClaimName("preferred_username");
    return converter;
  }

  static Collection<GrantedAuthority> authorities(Jwt jwt) {
    Object realm = jwt.getClaims().get(ROLES_CLAIM);
    if (realm instanceof Map<?, ?> map && map.get("roles") instanceof Collection<?> roles) {
      return roles.stream()
          .map(r -> (GrantedAuthority) new SimpleGrantedAuthority("ROLE_" + r))
          .toList();
    }
    return List.of();
  }

  /** The default profile's embedded issuer and its demo clients. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnExpression(EMBEDDED)
  static class EmbeddedIssuer {
    @Bean
    @Order(1)
    SecurityFilterChain issuer(HttpSecurity http) throws Exception {
      OAuth2AuthorizationServerConfigurer issuer = new OAuth2AuthorizationServerConfigurer();
      RequestMatcher endpoints = issuer.getEndpointsMatcher();
      http.securityMatcher(endpoints)
          .with(issuer, as -> as.oidc(Customizer.withDefaults()))
          .authorizeHttpRequests(a -> a.anyRequest().authenticated())
          .csrf(c -> c.ignoringRequestMatchers(endpoints))
          // a browser that is not signed in yet is sent to the login form
          .exceptionHandling(
              e ->
                  e.defaultAuthenticationEntryPointFor(
                      new LoginUrlAuthenticationEntryPoint("/login"),
                      new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
      return http.build();
    }

    /** The demo users' login form; the session it opens serves the issuer's authorize step only. */
    @Bean
    @Order(2)
    SecurityFilterChain login(HttpSecurity http) throws Exception {
      http.securityMatcher("/login", "/logout")
          .authorizeHttpRequests(a -> a.anyRequest().permitAll())
          .formLogin(Customizer.withDefaults());
      return http.build();
    }

    @Bean
    UserDetailsService demoUsers() {
      return new InMemoryUserDetailsManager(
          CurrentActor.ROLES.stream()
              .map(
                  role ->
                      User.withUsername("demo-" + role)
                          .password("{noop}demo-" + role + "-secret")
                          .roles(role)
                          .build())
              .toList());
    }

    @Bean
    RegisteredClientRepository demoClients() {
      List<RegisteredClient> clients = new ArrayList<>();
      clients.add(
          RegisteredClient.withId(VIEWER_CLIENT)
              .clientId(VIEWER_CLIENT)
              .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
              .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
              // a loopback redirect matches on any port (RFC 8252 section 7.3)
              .redirectUri("http://127.0.0.1:8080/")
              .postLogoutRedirectUri("http://127.0.0.1:8080/")
              .scope(OidcScopes.OPENID)
              .clientSettings(
                  ClientSettings.builder()
                      .requireProofKey(true)
                      .requireAuthorizationConsent(false)
                      .build())
              .tokenSettings(
                  TokenSettings.builder().accessTokenTimeToLive(Duration.ofHours(8)).build())
              .build());
      CurrentActor.ROLES.stream()
          .map(
              role ->
                  RegisteredClient.withId("demo-" + role)
                      .clientId("demo-" + role)
                      .clientSecret("{noop}demo-" + role + "-secret")
                      .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                      .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                      .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                      .tokenSettings(
                          TokenSettings.builder()
                              .accessTokenTimeToLive(Duration.ofHours(8))
                              .build())
                      .build())
          .forEach(clients::add);
      return new InMemoryRegisteredClientRepository(clients);
    }

    /**
     * Demo tokens look like Keycloak's: the user name and the realm roles; a demo client's are its
     * own, a signed-in user's are the user's.
     */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> keycloakShapedClaims() {
      return context -> {
        String client = context.getRegisteredClient().getClientId();
        if (client.startsWith("demo-")) {
          context.getClaims().claim("preferred_username", client);
          context
              .getClaims()
              .claim(ROLES_CLAIM, Map.of("roles", List.of(client.substring("demo-".length()))));
        } else if (AuthorizationGrantType.AUTHORIZATION_CODE.equals(
            context.getAuthorizationGrantType())) {
          List<String> roles =
              context.getPrincipal().getAuthorities().stream()
                  .map(GrantedAuthority::getAuthority)
                  .filter(a -> a.startsWith("ROLE_"))
                  .map(a -> a.substring("ROLE_".length()))
                  .toList();
          context.getClaims().claim("preferred_username", context.getPrincipal().getName());
          context.getClaims().claim(ROLES_CLAIM, Map.of("roles", roles));
        }
      };
    }

    @Bean
    AuthorizationServerSettings authorizationServerSettings() {
      return AuthorizationServerSettings.builder().build();
    }

    @Bean
    JWKSource<SecurityContext> jwkSource(AnatwinProperties properties) {
      return new ImmutableJWKSet<>(
          new JWKSet(
              signingKey(properties.dataHome().resolve("identity").resolve("signing-key.jwk"))));
    }

    @Bean
    JwtDecoder jwtDecoder(JWKSource<SecurityContext> keys) {
      return new CachingJwtDecoder(
          OAuth2AuthorizationServerConfiguration.jwtDecoder(keys),
          java.time.Clock.systemUTC(),
          VERIFIED_TOKENS);
    }
  }

  /** Keycloak (or another OIDC issuer): its keys, its issuer name, our audience. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnExpression("!" + EMBEDDED)
  static class ExternalIssuer {
    @Bean
    JwtDecoder jwtDecoder(
        @Value("${anatwin.security.issuer-uri}") String issuer,
        @Value("${anatwin.security.audience:}") String audience) {
      // resolved on first use, so the service starts while the issuer is still starting
      return new CachingJwtDecoder(
          new SupplierJwtDecoder(
              () -> {
                NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(issuer).build();
                List<OAuth2TokenValidator<Jwt>> checks = new ArrayList<>();
                checks.add(JwtValidators.createDefaultWithIssuer(issuer));
                if (!audience.isBlank()) {
                  checks.add(
                      new JwtClaimValidator<List<String>>(
                          JwtClaimNames.AUD, aud -> aud != null && aud.contains(audience)));
                }
                decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(checks));
                return decoder;
              }),
          java.time.Clock.systemUTC(),
          VERIFIED_TOKENS);
    }
  }

  /** Loads the issuer's RSA key, or makes one (owner-readable only) on first start. */
  static RSAKey signingKey(Path file) {
    try {
      if (Files.exists(file)) {
        return RSAKey.parse(Files.readString(file, StandardCharsets.UTF_8));
      }
      RSAKey key =
          new RSAKeyGenerator(2048).keyID("anatwin-" + System.currentTimeMillis()).generate();
      Files.createDirectories(file.getParent());
      Path temp =
          Files.createTempFile(
              file.getParent(),
              "key",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(temp, key.toJSONString(), StandardCharsets.UTF_8);
      Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the issuer key " + file, e);
    } catch (ParseException | JOSEException e) {
      throw new IllegalStateException(
          "the issuer key " + file + " is unreadable; delete it to make a new one", e);
    }
  }
}

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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.anatwin.api.CurrentActor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Identity for the default profile. The service is an OAuth 2 resource server: every API request
 * carries a JWT, and realm roles are read from {@code realm_access.roles} as Keycloak writes them.
 * The tokens come from an embedded OIDC issuer (Spring Security's authorization server) with one
 * demo client per role ({@code demo-<role>}, client-credentials grant), signed with an RSA key kept
 * in the data folder so tokens survive a restart. In production the issuer is Keycloak.
 */
@Configuration(proxyBeanMethods = false)
@EnableMethodSecurity
class SecurityConfiguration {
  private static final String ROLES_CLAIM = "realm_access";

  @Bean
  @Order(1)
  SecurityFilterChain issuer(HttpSecurity http) throws Exception {
    OAuth2AuthorizationServerConfigurer issuer = new OAuth2AuthorizationServerConfigurer();
    RequestMatcher endpoints = issuer.getEndpointsMatcher();
    http.securityMatcher(endpoints)
        .with(issuer, as -> as.oidc(Customizer.withDefaults()))
        .authorizeHttpRequests(a -> a.anyRequest().authenticated())
        .csrf(c -> c.ignoringRequestMatchers(endpoints));
    return http.build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain api(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(
            a ->
                a.requestMatchers("/graphiql", "/graphiql/**", "/error", "/actuator/health")
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .csrf(c -> c.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.jwtAuthenticationConverter(realmRoles())));
    return http.build();
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

  @Bean
  RegisteredClientRepository demoClients() {
    List<RegisteredClient> clients =
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
            .toList();
    return new InMemoryRegisteredClientRepository(clients);
  }

  /** Demo tokens look like Keycloak's: the user name and the realm roles. */
  @Bean
  OAuth2TokenCustomizer<JwtEncodingContext> keycloakShapedClaims() {
    return context -> {
      String client = context.getRegisteredClient().getClientId();
      if (client.startsWith("demo-")) {
        context.getClaims().claim("preferred_username", client);
        context
            .getClaims()
            .claim(ROLES_CLAIM, Map.of("roles", List.of(client.substring("demo-".length()))));
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
    return OAuth2AuthorizationServerConfiguration.jwtDecoder(keys);
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

package org.anatwin.app;

import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * What the viewer (the single-page application served at {@code /}) needs before its user signs in:
 * the OIDC issuer to sign in with (Keycloak in production, else this service's embedded issuer) and
 * the public client it is registered as.
 */
@RestController
class ViewerConfiguration {
  static final String PATH = "/viewer-config.json";

  private final String issuer;
  private final String clientId;

  ViewerConfiguration(
      @Value("${anatwin.security.issuer-uri:}") String issuer,
      @Value("${anatwin.viewer.client-id:" + SecurityConfiguration.VIEWER_CLIENT + "}")
          String clientId) {
    this.issuer = issuer;
    this.clientId = clientId;
  }

  @GetMapping(PATH)
  Map<String, String> config() {
    String authority =
        issuer.isBlank()
            ? ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString()
            : issuer;
    return Map.of("authority", authority, "clientId", clientId, "scope", "openid");
  }
}

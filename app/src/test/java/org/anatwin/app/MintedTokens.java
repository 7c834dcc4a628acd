package org.anatwin.app;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Tokens a test signs itself with the embedded issuer's key (from the service's data folder): for
 * users the demo clients do not cover (several roles, none, expired) or with a foreign key.
 */
final class MintedTokens {
  private MintedTokens() {}

  static RSAKey issuerKey(Path home) throws Exception {
    return RSAKey.parse(Files.readString(home.resolve("identity").resolve("signing-key.jwk")));
  }

  static String mint(String user, List<String> roles, Instant expires, RSAKey key)
      throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(user)
            .claim("preferred_username", user)
            .claim("realm_access", Map.of("roles", roles))
            .issueTime(Date.from(expires.minusSeconds(3600)))
            .expirationTime(Date.from(expires))
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  /** A token of the embedded issuer for {@code user} holding {@code roles}, valid for an hour. */
  static String mint(Path home, String user, String... roles) throws Exception {
    return mint(user, List.of(roles), Instant.now().plusSeconds(3600), issuerKey(home));
  }
}

package org.anatwin.app;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Remembers tokens the delegate has verified, until they expire: a client sends the same bearer
 * token with every request, and checking its signature and claims again cost about as much as a
 * small query. A remembered token is handed back only while the clock is before its expiry (and not
 * before its not-before time); after that the delegate decides again (and refuses it). Tokens the
 * delegate refuses are never remembered. At most {@code capacity} tokens are kept; when full, the
 * memory is emptied and fills again.
 */
final class CachingJwtDecoder implements JwtDecoder {
  private final JwtDecoder delegate;
  private final Clock clock;
  private final int capacity;
  private final ConcurrentHashMap<String, Jwt> verified = new ConcurrentHashMap<>();

  CachingJwtDecoder(JwtDecoder delegate, Clock clock, int capacity) {
    this.delegate = delegate;
    this.clock = clock;
    this.capacity = capacity;
  }

  @Override
  public Jwt decode(String token) throws JwtException {
    Jwt known = verified.get(token);
    Instant now = clock.instant();
    if (known != null && current(known, now)) {
      return known;
    }
    Jwt jwt = delegate.decode(token);
    if (jwt.getExpiresAt() != null && current(jwt, now)) {
      if (verified.size() >= capacity) {
        verified.clear();
      }
      verified.put(token, jwt);
    } else {
      verified.remove(token);
    }
    return jwt;
  }

  private static boolean current(Jwt jwt, Instant now) {
    Instant expires = jwt.getExpiresAt();
    Instant notBefore = jwt.getNotBefore();
    return expires != null
        && now.isBefore(expires)
        && (notBefore == null || !now.isBefore(notBefore));
  }

  /** Number of tokens remembered. */
  int size() {
    return verified.size();
  }
}

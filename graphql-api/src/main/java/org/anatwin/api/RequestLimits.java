package org.anatwin.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Limits on GraphQL requests over HTTP, checked after authentication and before the request is
 * read: a body larger than {@code anatwin.api.max-request-bytes} (24 MiB by default, room for a 15
 * MB mesh upload in base64) is refused with 413 and {@code api:request.too-large}; each user (or,
 * without a token, each address) may send {@code anatwin.api.rate.per-second} requests a second on
 * average (50) with bursts of {@code anatwin.api.rate.burst} (200), and is refused beyond that with
 * 429, a {@code Retry-After} and {@code api:rate-limited}.
 */
@Component
public class RequestLimits extends OncePerRequestFilter {
  private final long maxBytes;
  private final double perSecond;
  private final double burst;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RequestLimits(
      @Value("${anatwin.api.max-request-bytes:25165824}") long maxBytes,
      @Value("${anatwin.api.rate.per-second:50}") double perSecond,
      @Value("${anatwin.api.rate.burst:200}") double burst) {
    this.maxBytes = maxBytes;
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** A token bucket: {@code tokens} left at {@code at} (nanoseconds). */
  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !request.getRequestURI().equals("/graphql");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > maxBytes) {
      refuse(
          response,
          413,
          "api:request.too-large",
          "the request has " + request.getContentLengthLong() + " bytes; at most " + maxBytes);
      return;
    }
    double wait = take(user(request), System.nanoTime());
    if (wait > 0) {
      response.setHeader("Retry-After", Long.toString((long) Math.ceil(wait)));
      refuse(
          response,
          429,
          "api:rate-limited",
          "too many requests: at most " + perSecond + " a second on average");
      return;
    }
    chain.doFilter(request, response);
  }

  private static String user(HttpServletRequest request) {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    return auth != null && auth.isAuthenticated() && !"anonymousUser".equals(auth.getName())
        ? "user:" + auth.getName()
        : "address:" + request.getRemoteAddr();
  }

  /** Takes one token; returns 0 when there was one, else the seconds until there is. */
  double take(String key, long now) {
    Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
    synchronized (bucket) {
      bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) / 1e9 * perSecond);
      bucket.at = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return (1 - bucket.tokens) / perSecond;
    }
  }

  private static void refuse(HttpServletResponse response, int status, String code, String message)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response
        .getOutputStream()
        .write(
            ("{\"errors\":[{\"message\":\""
                    + message.replace("\"", "'")
                    + "\",\"extensions\":{\"code\":\""
                    + code
                    + "\"}}]}")
                .getBytes(StandardCharsets.UTF_8));
  }
}

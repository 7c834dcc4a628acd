package org.anatwin.api;

import java.util.List;
import org.anatwin.model.Actor;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The person behind the current request, as the JWT names them ({@code preferred_username}, else
 * the subject) and the roles mapped from {@code realm_access.roles}.
 */
public final class CurrentActor {
  /** The roles of the system, as realm roles are named. */
  public static final List<String> ROLES =
      java.util.Arrays.stream(Access.Role.values()).map(Access.Role::name).toList();

  private CurrentActor() {}

  /** Whether a user is signed in on this thread. */
  public static boolean present() {
    return SecurityContextHolder.getContext().getAuthentication() != null;
  }

  public static Actor get() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null) {
      throw new IllegalStateException("no authenticated user");
    }
    String name = auth.getName();
    if (auth instanceof JwtAuthenticationToken jwt
        && jwt.getToken().hasClaim("preferred_username")) {
      name = jwt.getToken().getClaimAsString("preferred_username");
    }
    List<String> roles = roles(auth);
    return new Actor(name, roles.isEmpty() ? "none" : String.join(",", roles));
  }

  /**
   * Whether the current user sees patient identity ({@link Access#PATIENT_IDENTITY}); everyone else
   * gets the pseudonym.
   */
  public static boolean seesPhi() {
    return Access.seesPatientIdentity(held());
  }

  /** The system's roles the current user holds (other realm roles in the token grant nothing). */
  public static java.util.Set<Access.Role> held() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    java.util.Set<Access.Role> held = java.util.EnumSet.noneOf(Access.Role.class);
    if (auth != null) {
      roles(auth).forEach(r -> Access.Role.of(r).ifPresent(held::add));
    }
    return held;
  }

  private static List<String> roles(Authentication auth) {
    return auth.getAuthorities().stream()
        .map(GrantedAuthority::getAuthority)
        .filter(a -> a.startsWith("ROLE_"))
        .map(a -> a.substring(5))
        .filter(r -> Access.Role.of(r).isPresent())
        .sorted()
        .toList();
  }
}

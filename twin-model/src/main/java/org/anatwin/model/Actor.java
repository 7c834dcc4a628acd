package org.anatwin.model;

/** The authenticated person (or service) on whose behalf an operation runs, and the role used. */
public record Actor(String userName, String role) {
  public Actor {
    if (userName.isBlank() || role.isBlank()) {
      throw ModelException.invalid("actor", userName + "/" + role);
    }
  }

  public Agent agent() {
    return Agent.person(userName);
  }

  /** The service itself, for work nobody asked for (the demo twin at first start). */
  public static Actor system() {
    return new Actor("anatwin", "system");
  }
}

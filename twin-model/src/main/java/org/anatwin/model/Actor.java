package org.anatwin.model;

/** The authenticated person (or service) on whose behalf an operation runs, and the role used. */
public record Actor(String userName, String role) {
  public Actor {
    if (userName.isBlank() || role.isBlank()) {
      throw ModelException.invalid("actor", userName + "/" + role);
    }
  }

  /** The role of a DICOM application entity that sends us objects. */
  public static final String DICOM_SENDER = "dicom-sender";

  /** A person, or for a DICOM sender the application entity, as lineage names it. */
  public Agent agent() {
    return role.equals(DICOM_SENDER)
        ? new Agent(Agent.Kind.SOFTWARE, "ae:" + userName, "DICOM AE " + userName)
        : Agent.person(userName);
  }

  /**
   * A remote DICOM application entity by its calling AE title; characters outside {@code
   * [A-Za-z0-9._-]} become {@code _} so the title can never inject text into an id.
   */
  public static Actor dicomSender(String callingAeTitle) {
    String safe = callingAeTitle.strip().replaceAll("[^A-Za-z0-9._-]", "_");
    return new Actor(safe.isEmpty() ? "unknown" : safe, DICOM_SENDER);
  }

  /** The service itself, for work nobody asked for (the demo twin at first start). */
  public static Actor system() {
    return new Actor("anatwin", "system");
  }
}

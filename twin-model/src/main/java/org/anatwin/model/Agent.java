package org.anatwin.model;

import java.util.regex.Pattern;

/**
 * Who or what is responsible for an activity: a person (by user name), a piece of software (name
 * and version) or a printer.
 */
public record Agent(Kind kind, String id, String label) {
  /** The version of Anatwin that lineage names as the software agent. */
  public static final String VERSION = "0.1.0";

  private static final Pattern ID = Pattern.compile("[a-z]+:[A-Za-z0-9._@/-]{1,128}");

  /** The kinds of agent PROV distinguishes, plus printers. */
  public enum Kind {
    PERSON,
    SOFTWARE,
    PRINTER
  }

  public Agent {
    if (!ID.matcher(id).matches()) {
      throw ModelException.invalid("agent-id", id);
    }
  }

  public static Agent person(String userName) {
    return new Agent(Kind.PERSON, "person:" + userName, userName);
  }

  public static Agent software(String name, String version) {
    return new Agent(Kind.SOFTWARE, "software:" + name + "/" + version, name + " " + version);
  }

  /** This software, at the version that recorded the activity. */
  public static Agent anatwin() {
    return software("anatwin", VERSION);
  }

  public static Agent printer(String printerId, String label) {
    return new Agent(Kind.PRINTER, "printer:" + printerId, label);
  }
}

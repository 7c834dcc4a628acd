package org.anatwin.audit;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.anatwin.model.AuditEvent;

/**
 * Audit events as DICOM PS3.15 A.5 audit messages (the IHE ATNA format): the event identified by a
 * DICOM event code (110104 Instances Transferred, 110103 Instances Accessed, 110110 Patient Record,
 * 110101 Audit Log Used, 110106 Export, 110107 Import) with our action as the event type, the
 * acting user with their role, this service as the audit source, every subject as a participant
 * object, and the log entry itself (sequence, Merkle leaf hash, detail) as one more, so a message
 * received by an audit repository can be checked against the tamper-evident log.
 */
public final class AtnaMessages {
  /** Where our own codes come from (actions, roles, entity kinds). */
  public static final String ACTIONS = "urn:anatwin:audit-action";

  private static final String ROLES = "urn:anatwin:role";
  private static final String ENTITIES = "urn:anatwin:entity";
  private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();

  private AtnaMessages() {}

  /** A DICOM event: its code in DCM, its meaning, and the action code the event takes. */
  record Event(String code, String meaning, String action) {}

  /** The DICOM event an action of ours reports as. */
  static Event event(String action) {
    String verb = action.substring(action.indexOf('.') + 1);
    String crud =
        verb.matches("(create|build-version|upload-design|annotate|create-branch|tag-version).*")
            ? "C"
            : verb.matches("(read|poll|proof|verify).*") ? "R" : "U";
    return switch (action) {
      case "dicom.c-store", "dicom.stow" -> new Event("110104", "DICOM Instances Transferred", "C");
      case "dicom.send" -> new Event("110104", "DICOM Instances Transferred", "R");
      case "dicom.import" -> new Event("110107", "Import", "C");
      case "phi.read" -> new Event("110110", "Patient Record", "R");
      case "print-job.submit" -> new Event("110106", "Export", "R");
      case "lineage.reproduce" -> new Event("110103", "DICOM Instances Accessed", "E");
      default ->
          action.startsWith("audit.")
              ? new Event("110101", "Audit Log Used", "R")
              : new Event("110103", "DICOM Instances Accessed", crud);
    };
  }

  /**
   * The message of event {@code sequence} (with {@code leafHash}, hex) as reported by {@code
   * source} (the Audit Source ID, e.g. {@code anatwin@host}).
   */
  public static String message(long sequence, String leafHash, AuditEvent e, String source) {
    StringWriter out = new StringWriter();
    try {
      XMLStreamWriter x = XML.createXMLStreamWriter(out);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeStartElement("AuditMessage");

      Event event = event(e.action());
      boolean ok = e.outcome() == AuditEvent.Outcome.SUCCESS;
      x.writeStartElement("EventIdentification");
      attribute(x, "EventActionCode", event.action());
      attribute(x, "EventDateTime", e.time().toString());
      attribute(x, "EventOutcomeIndicator", ok ? "0" : "4");
      coded(x, "EventID", event.code(), "DCM", event.meaning());
      coded(x, "EventTypeCode", e.action(), ACTIONS, e.action());
      if (!ok) {
        x.writeStartElement("EventOutcomeDescription");
        x.writeCharacters(clean(e.detail()));
        x.writeEndElement();
      }
      x.writeEndElement();

      x.writeStartElement("ActiveParticipant");
      attribute(x, "UserID", e.actor());
      attribute(x, "UserIsRequestor", "true");
      coded(x, "RoleIDCode", e.role(), ROLES, e.role());
      x.writeEndElement();

      x.writeStartElement("AuditSourceIdentification");
      attribute(x, "AuditSourceID", source);
      x.writeEmptyElement("AuditSourceTypeCode");
      attribute(x, "csd-code", "4");
      x.writeEndElement();

      for (String subject : e.subjects()) {
        participant(x, subject);
      }
      logEntry(x, sequence, leafHash, e.detail());

      x.writeEndElement();
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException ex) {
      throw new IllegalStateException("writing XML to a string cannot fail", ex);
    }
    return out.toString();
  }

  /** A subject: a patient (by its key, never its name), a DICOM instance or another entity. */
  private static void participant(XMLStreamWriter x, String subject) throws XMLStreamException {
    boolean patient = subject.startsWith("patient-");
    x.writeStartElement("ParticipantObjectIdentification");
    attribute(x, "ParticipantObjectID", subject);
    attribute(x, "ParticipantObjectTypeCode", patient ? "1" : "2");
    attribute(x, "ParticipantObjectTypeCodeRole", patient ? "1" : "4");
    if (patient) {
      coded(x, "ParticipantObjectIDTypeCode", "2", "RFC-3881", "Patient Number");
    } else {
      String kind = kindOf(subject);
      coded(x, "ParticipantObjectIDTypeCode", kind, ENTITIES, kind);
    }
    text(x, "ParticipantObjectName", subject);
    x.writeEndElement();
  }

  /** The log entry itself: its sequence, Merkle leaf hash and detail. */
  private static void logEntry(XMLStreamWriter x, long sequence, String leafHash, String detail)
      throws XMLStreamException {
    x.writeStartElement("ParticipantObjectIdentification");
    attribute(x, "ParticipantObjectID", "audit-event:" + sequence);
    attribute(x, "ParticipantObjectTypeCode", "2");
    attribute(x, "ParticipantObjectTypeCodeRole", "13");
    coded(x, "ParticipantObjectIDTypeCode", "audit-event", ENTITIES, "audit event");
    text(x, "ParticipantObjectName", "audit event " + sequence);
    for (List<String> pair :
        List.of(
            List.of("sequence", Long.toString(sequence)),
            List.of("leafHash", leafHash),
            List.of("detail", detail))) {
      x.writeEmptyElement("ParticipantObjectDetail");
      attribute(x, "type", pair.get(0));
      x.writeAttribute(
          "value",
          Base64.getEncoder().encodeToString(pair.get(1).getBytes(StandardCharsets.UTF_8)));
    }
    x.writeEndElement();
  }

  /** The kind of an entity id: its prefix before ':' or the last '-'-separated hash. */
  static String kindOf(String id) {
    int colon = id.indexOf(':');
    if (colon > 0) {
      return id.substring(0, colon);
    }
    int dash = id.lastIndexOf('-');
    return dash > 0 ? id.substring(0, dash) : "entity";
  }

  private static void coded(
      XMLStreamWriter x, String element, String code, String system, String meaning)
      throws XMLStreamException {
    x.writeEmptyElement(element);
    attribute(x, "csd-code", code);
    attribute(x, "codeSystemName", system);
    attribute(x, "originalText", meaning);
  }

  private static void attribute(XMLStreamWriter x, String name, String value)
      throws XMLStreamException {
    x.writeAttribute(name, clean(value));
  }

  /** Text as XML 1.0 can carry it: characters it forbids become U+FFFD. */
  static String clean(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c ->
                out.appendCodePoint(
                    c == 0x9
                            || c == 0xA
                            || c == 0xD
                            || (c >= 0x20 && c <= 0xD7FF)
                            || (c >= 0xE000 && c <= 0xFFFD)
                            || c >= 0x10000
                        ? c
                        : 0xFFFD));
    return out.toString();
  }

  private static void text(XMLStreamWriter x, String element, String value)
      throws XMLStreamException {
    x.writeStartElement(element);
    x.writeCharacters(clean(value));
    x.writeEndElement();
  }
}

package org.anatwin.printorders;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What goes on a printed copy's label (its bag or box): serial and copy, the patient (name, id,
 * birth date: PHI; the pseudonym for those who see no PHI), the clinical note for the care team,
 * what it is for, material and lot, printer and date, scale and structures.
 */
public record ArtefactLabel(
    String serialNumber,
    int copy,
    int copies,
    @Nullable String patientName,
    @Nullable String patientId,
    @Nullable String birthDate,
    @Nullable String pseudonym,
    String clinicalNote,
    IntendedUse intendedUse,
    String material,
    @Nullable String materialLot,
    String printerId,
    Instant printedAt,
    double scale,
    List<String> structures) {

  public ArtefactLabel {
    structures = List.copyOf(structures);
  }

  /** The same label with the patient's identity and the clinical note left out. */
  public ArtefactLabel withoutPhi() {
    return new ArtefactLabel(
        serialNumber,
        copy,
        copies,
        null,
        null,
        null,
        pseudonym,
        "",
        intendedUse,
        material,
        materialLot,
        printerId,
        printedAt,
        scale,
        structures);
  }

  /** The label as printed, one field per line. */
  public String text() {
    StringBuilder out = new StringBuilder();
    out.append(serialNumber).append("  copy ").append(copy).append('/').append(copies).append('\n');
    if (patientName != null || patientId != null) {
      out.append("Patient: ")
          .append(patientName == null ? "" : patientName)
          .append("  ID ")
          .append(patientId == null ? "-" : patientId)
          .append("  born ")
          .append(birthDate == null || birthDate.isEmpty() ? "-" : birthDate)
          .append('\n');
    } else if (pseudonym != null) {
      out.append("Pseudonym: ").append(pseudonym).append('\n');
    }
    out.append(String.join(", ", structures))
        .append(" for ")
        .append(intendedUse.name().toLowerCase(Locale.ROOT).replace('_', ' '))
        .append(", scale ")
        .append(scale == 1 ? "1:1" : String.format(Locale.ROOT, "%.3g", scale))
        .append('\n');
    out.append(material)
        .append(materialLot == null ? " (lot not recorded)" : " lot " + materialLot)
        .append(", printed ")
        .append(printedAt.atZone(ZoneOffset.UTC).toLocalDate())
        .append(" on ")
        .append(printerId)
        .append('\n');
    if (!clinicalNote.isEmpty()) {
      out.append("Note: ").append(clinicalNote).append('\n');
    }
    out.append("Anatomical model, not for diagnostic use.\n");
    return out.toString();
  }
}

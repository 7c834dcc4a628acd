package org.anatwin.modeling;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.LongTextAttribute;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.SequenceItem;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.ShortTextAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedLongAttribute;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.anatwin.model.TriangleMesh;

/**
 * DICOM Encapsulated STL (Supplement 205, SOP Class 1.2.840.10008.5.1.4.1.1.104.3): the binary STL
 * of a mesh inside a DICOM object that names the patient and study it belongs to, the frame of
 * reference its coordinates are in, the source images it was made from (Source Instance Sequence),
 * how it was made (Derivation Algorithm Sequence), its model group and its units (mm). Every value
 * comes from the arguments, so the same arguments give the same bytes.
 */
public final class DicomModels {
  public static final String ENCAPSULATED_STL = "1.2.840.10008.5.1.4.1.1.104.3";
  public static final String ENCAPSULATED_OBJ = "1.2.840.10008.5.1.4.1.1.104.4";

  /** The two encapsulated 3D model kinds: SOP class and MIME type of the document. */
  private enum Kind {
    STL(ENCAPSULATED_STL, "model/stl"),
    OBJ(ENCAPSULATED_OBJ, "model/obj");

    final String sopClass;
    final String mimeType;

    Kind(String sopClass, String mimeType) {
      this.sopClass = sopClass;
      this.mimeType = mimeType;
    }
  }

  private static final AttributeTag SOURCE_INSTANCE_SEQUENCE = new AttributeTag(0x0042, 0x0013);
  private static final AttributeTag DERIVATION_ALGORITHM_SEQUENCE =
      new AttributeTag(0x0022, 0x1612);
  private static final AttributeTag ALGORITHM_FAMILY_CODE_SEQUENCE =
      new AttributeTag(0x0066, 0x002F);
  private static final AttributeTag ALGORITHM_NAME = new AttributeTag(0x0066, 0x0036);
  private static final AttributeTag ALGORITHM_VERSION = new AttributeTag(0x0066, 0x0031);
  private static final AttributeTag ALGORITHM_PARAMETERS = new AttributeTag(0x0066, 0x0032);
  private static final AttributeTag ALGORITHM_SOURCE = new AttributeTag(0x0024, 0x0202);
  private static final AttributeTag MEASUREMENT_UNITS = new AttributeTag(0x0040, 0x08EA);
  private static final AttributeTag MODEL_MODIFICATION = new AttributeTag(0x0068, 0x7001);
  private static final AttributeTag MODEL_MIRRORING = new AttributeTag(0x0068, 0x7002);
  private static final AttributeTag MODEL_GROUP_UID = new AttributeTag(0x0068, 0x7004);
  private static final AttributeTag ENCAPSULATED_DOCUMENT_LENGTH = new AttributeTag(0x0042, 0x0015);

  private DicomModels() {}

  /** A source image the model was derived from, in the model's study. */
  public record Source(String seriesInstanceUid, String sopClassUid, String sopInstanceUid) {}

  /** Who and what the model belongs to, and how it was made; all values go into the object. */
  public record Context(
      String patientName,
      String patientId,
      String patientBirthDate,
      String patientSex,
      String studyInstanceUid,
      String studyDate,
      String studyTime,
      String accessionNumber,
      String studyId,
      String frameOfReferenceUid,
      String seriesInstanceUid,
      int seriesNumber,
      String sopInstanceUid,
      String modelGroupUid,
      String contentDate,
      String contentTime,
      String title,
      List<Source> sources,
      String algorithmName,
      String algorithmVersion,
      String algorithmParameters,
      String softwareVersion) {}

  /** The Encapsulated STL object as a Part 10 file (explicit VR little endian). */
  public static byte[] encapsulatedStl(TriangleMesh mesh, Context c) {
    return encapsulated(Kind.STL, Modeling.toStl(mesh), c);
  }

  /**
   * The Encapsulated OBJ object (Supplement 208, SOP Class 1.2.840.10008.5.1.4.1.1.104.4) as a Part
   * 10 file: the mesh as Wavefront OBJ in millimetres, patient coordinates, no material file.
   */
  public static byte[] encapsulatedObj(TriangleMesh mesh, Context c) {
    return encapsulated(Kind.OBJ, Modeling.toObj(mesh), c);
  }

  private static byte[] encapsulated(Kind kind, byte[] document, Context c) {
    try {
      AttributeList list = common(c, kind.sopClass, "M3D");
      // the encapsulated document
      put(list, new IntegerStringAttribute(TagFromName.InstanceNumber), "1");
      put(list, new DateAttribute(TagFromName.ContentDate), c.contentDate());
      put(list, new TimeAttribute(TagFromName.ContentTime), c.contentTime());
      put(
          list,
          new com.pixelmed.dicom.DateTimeAttribute(TagFromName.AcquisitionDateTime),
          c.contentDate() + c.contentTime());
      put(list, new CodeStringAttribute(TagFromName.BurnedInAnnotation), "NO");
      put(list, new ShortTextAttribute(TagFromName.DocumentTitle), c.title());
      list.put(new SequenceAttribute(TagFromName.ConceptNameCodeSequence));
      put(list, new LongStringAttribute(TagFromName.MIMETypeOfEncapsulatedDocument), kind.mimeType);
      SequenceAttribute sources = new SequenceAttribute(SOURCE_INSTANCE_SEQUENCE);
      for (Source s : c.sources()) {
        AttributeList item = new AttributeList();
        put(
            item,
            new UniqueIdentifierAttribute(TagFromName.ReferencedSOPClassUID),
            s.sopClassUid());
        put(
            item,
            new UniqueIdentifierAttribute(TagFromName.ReferencedSOPInstanceUID),
            s.sopInstanceUid());
        sources.addItem(new SequenceItem(item));
      }
      list.put(sources);
      list.put(referencedSeries(c.sources()));
      UnsignedLongAttribute length = new UnsignedLongAttribute(ENCAPSULATED_DOCUMENT_LENGTH);
      length.addValue(document.length);
      list.put(length);
      OtherByteAttribute encapsulated = new OtherByteAttribute(TagFromName.EncapsulatedDocument);
      encapsulated.setValues(
          document.length % 2 == 0
              ? document
              : java.util.Arrays.copyOf(document, document.length + 1));
      list.put(encapsulated);
      // manufacturing 3D model: units, model group, how it was derived
      SequenceAttribute units = new SequenceAttribute(MEASUREMENT_UNITS);
      units.addItem(new SequenceItem(code("mm", "UCUM", "mm")));
      list.put(units);
      put(list, new UniqueIdentifierAttribute(MODEL_GROUP_UID), c.modelGroupUid());
      put(list, new CodeStringAttribute(MODEL_MODIFICATION), "NO");
      put(list, new CodeStringAttribute(MODEL_MIRRORING), "NO");
      SequenceAttribute derivation = new SequenceAttribute(DERIVATION_ALGORITHM_SEQUENCE);
      AttributeList algorithm = new AttributeList();
      SequenceAttribute family = new SequenceAttribute(ALGORITHM_FAMILY_CODE_SEQUENCE);
      // no standard code names iso-surface extraction: a private coding scheme says so
      family.addItem(new SequenceItem(code("ISOSURFACE", "99ANATWIN", "Iso-surface extraction")));
      algorithm.put(family);
      put(algorithm, new LongStringAttribute(ALGORITHM_NAME), c.algorithmName());
      put(algorithm, new LongStringAttribute(ALGORITHM_VERSION), c.algorithmVersion());
      put(algorithm, new LongTextAttribute(ALGORITHM_PARAMETERS), c.algorithmParameters());
      put(algorithm, new LongStringAttribute(ALGORITHM_SOURCE), "Anatwin");
      derivation.addItem(new SequenceItem(algorithm));
      list.put(derivation);

      FileMetaInformation.addFileMetaInformation(
          list, TransferSyntax.ExplicitVRLittleEndian, "ANATWIN");
      ByteArrayOutputStream out = new ByteArrayOutputStream(document.length + 4096);
      list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
      return out.toByteArray();
    } catch (DicomException | IOException e) {
      throw new ModelingException(
          "modeling:dicom.write",
          "cannot write the Encapsulated " + kind + " object: " + e.getMessage(),
          e);
    }
  }

  public static final String SPATIAL_REGISTRATION = "1.2.840.10008.5.1.4.1.1.66.1";

  private static final AttributeTag REGISTRATION_SEQUENCE = new AttributeTag(0x0070, 0x0308);
  private static final AttributeTag MATRIX_REGISTRATION_SEQUENCE = new AttributeTag(0x0070, 0x0309);
  private static final AttributeTag MATRIX_SEQUENCE = new AttributeTag(0x0070, 0x030A);
  private static final AttributeTag MATRIX_TYPE = new AttributeTag(0x0070, 0x030C);
  private static final AttributeTag REGISTRATION_TYPE_CODES = new AttributeTag(0x0070, 0x030D);
  private static final AttributeTag TRANSFORMATION_MATRIX = new AttributeTag(0x3006, 0x00C6);
  private static final AttributeTag TRANSFORMATION_COMMENT = new AttributeTag(0x3006, 0x00C8);
  private static final AttributeTag CONTENT_LABEL = new AttributeTag(0x0070, 0x0080);
  private static final AttributeTag CONTENT_DESCRIPTION = new AttributeTag(0x0070, 0x0081);
  private static final AttributeTag CONTENT_CREATOR = new AttributeTag(0x0070, 0x0084);

  /**
   * A DICOM Spatial Registration object (SOP Class 1.2.840.10008.5.1.4.1.1.66.1) for a rigid
   * registration: the registered coordinate system is the context's frame of reference; the first
   * item names the fixed images ({@code c.sources()}) with the identity, the second the moving
   * images with {@code matrix} (3x4 row-major, mapping moving patient coordinates onto the fixed
   * ones). Content label, date and time, series and instance UIDs come from the context, so the
   * same arguments give the same bytes.
   */
  public static byte[] spatialRegistration(
      Context c, List<Source> moving, double[] matrix, String comment) {
    if (matrix.length != 12 || c.sources().isEmpty() || moving.isEmpty()) {
      throw new ModelingException(
          "modeling:dicom.registration",
          "a spatial registration needs fixed and moving images and a 3x4 matrix");
    }
    try {
      AttributeList list = common(c, SPATIAL_REGISTRATION, "REG");
      // General Series: laterality is conditional on a paired body part; empty says none
      put(list, new CodeStringAttribute(TagFromName.Laterality), "");
      put(list, new IntegerStringAttribute(TagFromName.InstanceNumber), "1");
      put(list, new CodeStringAttribute(CONTENT_LABEL), "REGISTRATION");
      put(list, new LongStringAttribute(CONTENT_DESCRIPTION), longString(c.title()));
      put(list, new PersonNameAttribute(CONTENT_CREATOR), "");
      put(list, new DateAttribute(TagFromName.ContentDate), c.contentDate());
      put(list, new TimeAttribute(TagFromName.ContentTime), c.contentTime());
      SequenceAttribute registrations = new SequenceAttribute(REGISTRATION_SEQUENCE);
      registrations.addItem(
          new SequenceItem(
              registrationItem(
                  c.sources(), new double[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}, "")));
      registrations.addItem(new SequenceItem(registrationItem(moving, matrix, comment)));
      list.put(registrations);
      java.util.List<Source> all = new java.util.ArrayList<>(c.sources());
      all.addAll(moving);
      list.put(referencedSeries(all));
      FileMetaInformation.addFileMetaInformation(
          list, TransferSyntax.ExplicitVRLittleEndian, "ANATWIN");
      ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
      list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
      return out.toByteArray();
    } catch (DicomException | IOException e) {
      throw new ModelingException(
          "modeling:dicom.write",
          "cannot write the Spatial Registration object: " + e.getMessage(),
          e);
    }
  }

  /**
   * The attributes every object of ours carries: SOP class and instance, patient and study as in
   * the source images, the series (with {@code modality}) and frame of reference, and this software
   * as the equipment.
   */
  private static AttributeList common(Context c, String sopClass, String modality)
      throws DicomException {
    AttributeList list = new AttributeList();
    put(list, new CodeStringAttribute(TagFromName.SpecificCharacterSet), "ISO_IR 192");
    put(list, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), sopClass);
    put(list, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), c.sopInstanceUid());
    put(list, new PersonNameAttribute(TagFromName.PatientName), c.patientName());
    put(list, new LongStringAttribute(TagFromName.PatientID), c.patientId());
    put(list, new DateAttribute(TagFromName.PatientBirthDate), c.patientBirthDate());
    put(list, new CodeStringAttribute(TagFromName.PatientSex), c.patientSex());
    put(list, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), c.studyInstanceUid());
    put(list, new DateAttribute(TagFromName.StudyDate), c.studyDate());
    put(list, new TimeAttribute(TagFromName.StudyTime), c.studyTime());
    put(list, new PersonNameAttribute(TagFromName.ReferringPhysicianName), "");
    put(list, new ShortStringAttribute(TagFromName.StudyID), c.studyId());
    put(list, new ShortStringAttribute(TagFromName.AccessionNumber), c.accessionNumber());
    put(list, new CodeStringAttribute(TagFromName.Modality), modality);
    put(list, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), c.seriesInstanceUid());
    put(
        list,
        new IntegerStringAttribute(TagFromName.SeriesNumber),
        Integer.toString(c.seriesNumber()));
    put(
        list,
        new UniqueIdentifierAttribute(TagFromName.FrameOfReferenceUID),
        c.frameOfReferenceUid());
    put(list, new LongStringAttribute(TagFromName.PositionReferenceIndicator), "");
    put(list, new LongStringAttribute(TagFromName.Manufacturer), "Anatwin");
    put(list, new LongStringAttribute(TagFromName.ManufacturerModelName), "Anatwin");
    put(list, new LongStringAttribute(TagFromName.DeviceSerialNumber), "anatwin");
    put(list, new LongStringAttribute(TagFromName.SoftwareVersions), c.softwareVersion());
    return list;
  }

  /** One Registration Sequence item: the images and the rigid matrix that maps them. */
  private static AttributeList registrationItem(List<Source> images, double[] m, String comment)
      throws DicomException {
    AttributeList item = new AttributeList();
    SequenceAttribute referenced = new SequenceAttribute(TagFromName.ReferencedImageSequence);
    for (Source s : images) {
      referenced.addItem(new SequenceItem(reference(s)));
    }
    item.put(referenced);
    AttributeList registration = new AttributeList();
    if (!comment.isEmpty()) {
      put(registration, new LongStringAttribute(TRANSFORMATION_COMMENT), longString(comment));
    }
    registration.put(new SequenceAttribute(REGISTRATION_TYPE_CODES));
    AttributeList matrixItem = new AttributeList();
    com.pixelmed.dicom.DecimalStringAttribute values =
        new com.pixelmed.dicom.DecimalStringAttribute(TRANSFORMATION_MATRIX);
    for (int i = 0; i < 12; i++) {
      values.addValue(decimal(m[i]));
    }
    for (String last : new String[] {"0", "0", "0", "1"}) {
      values.addValue(last);
    }
    matrixItem.put(values);
    put(matrixItem, new CodeStringAttribute(MATRIX_TYPE), "RIGID");
    SequenceAttribute matrices = new SequenceAttribute(MATRIX_SEQUENCE);
    matrices.addItem(new SequenceItem(matrixItem));
    registration.put(matrices);
    SequenceAttribute registrations = new SequenceAttribute(MATRIX_REGISTRATION_SEQUENCE);
    registrations.addItem(new SequenceItem(registration));
    item.put(registrations);
    return item;
  }

  /** A long string (LO) holds at most 64 characters. */
  private static String longString(String text) {
    return text.length() <= 64 ? text : text.substring(0, 64);
  }

  /** A decimal string of at most 16 characters (DS), as exact as that allows. */
  private static String decimal(double value) {
    for (int digits = 15; digits > 0; digits--) {
      String text =
          new java.math.BigDecimal(value)
              .round(new java.math.MathContext(digits))
              .stripTrailingZeros()
              .toPlainString();
      if (text.length() <= 16) {
        return text;
      }
      String scientific = String.format(java.util.Locale.ROOT, "%." + (digits - 1) + "E", value);
      if (scientific.length() <= 16) {
        return scientific;
      }
    }
    return "0";
  }

  /** Common Instance Reference: the sources again, grouped by series (all in the model's study). */
  private static SequenceAttribute referencedSeries(List<Source> sources) throws DicomException {
    SequenceAttribute series = new SequenceAttribute(TagFromName.ReferencedSeriesSequence);
    java.util.Map<String, List<Source>> bySeries = new java.util.TreeMap<>();
    for (Source s : sources) {
      bySeries.computeIfAbsent(s.seriesInstanceUid(), k -> new java.util.ArrayList<>()).add(s);
    }
    for (var entry : bySeries.entrySet()) {
      AttributeList item = new AttributeList();
      put(item, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), entry.getKey());
      SequenceAttribute instances = new SequenceAttribute(TagFromName.ReferencedInstanceSequence);
      for (Source s : entry.getValue()) {
        instances.addItem(new SequenceItem(reference(s)));
      }
      item.put(instances);
      series.addItem(new SequenceItem(item));
    }
    return series;
  }

  /** A Referenced SOP Class / Instance UID pair. */
  private static AttributeList reference(Source s) throws DicomException {
    AttributeList item = new AttributeList();
    put(item, new UniqueIdentifierAttribute(TagFromName.ReferencedSOPClassUID), s.sopClassUid());
    put(
        item,
        new UniqueIdentifierAttribute(TagFromName.ReferencedSOPInstanceUID),
        s.sopInstanceUid());
    return item;
  }

  private static AttributeList code(String value, String scheme, String meaning)
      throws DicomException {
    AttributeList item = new AttributeList();
    put(item, new ShortStringAttribute(TagFromName.CodeValue), value);
    put(item, new ShortStringAttribute(TagFromName.CodingSchemeDesignator), scheme);
    put(item, new LongStringAttribute(TagFromName.CodeMeaning), meaning);
    return item;
  }

  private static void put(AttributeList list, Attribute attribute, String value)
      throws DicomException {
    if (!value.isEmpty()) {
      attribute.addValue(value);
    }
    list.put(attribute);
  }
}

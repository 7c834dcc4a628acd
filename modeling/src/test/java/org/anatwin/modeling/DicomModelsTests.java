package org.anatwin.modeling;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.anatwin.model.TriangleMesh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Encapsulated STL object, checked by dicom3tools' {@code dciodvfy}. */
class DicomModelsTests {
  @TempDir Path work;

  static final DicomModels.Context CONTEXT =
      new DicomModels.Context(
          "Phantom^Skull",
          "P-0001",
          "19700101",
          "O",
          "1.2.826.0.1.3680043.10.1000.1",
          "20261127",
          "101500",
          "ACC1",
          "S1",
          "1.2.826.0.1.3680043.10.1000.2",
          "1.2.826.0.1.3680043.10.1000.3",
          901,
          "1.2.826.0.1.3680043.10.1000.4",
          "1.2.826.0.1.3680043.10.1000.5",
          "20261127",
          "113000",
          "bone",
          List.of(
              new DicomModels.Source(
                  "1.2.826.0.1.3680043.10.1000.8",
                  "1.2.840.10008.5.1.4.1.1.2",
                  "1.2.826.0.1.3680043.10.1000.6"),
              new DicomModels.Source(
                  "1.2.826.0.1.3680043.10.1000.8",
                  "1.2.840.10008.5.1.4.1.1.2",
                  "1.2.826.0.1.3680043.10.1000.7")),
          Modeling.ISO_SURFACE,
          Modeling.ISO_SURFACE_VERSION,
          "{\"isoHu\":\"300\"}",
          "0.1.0");

  /** A closed tetrahedron, enough for the object's structure. */
  static TriangleMesh tetrahedron() {
    return new TriangleMesh(
        new float[] {0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10},
        new int[] {0, 2, 1, 0, 1, 3, 1, 2, 3, 2, 0, 3});
  }

  @Test
  void dciodvfyFindsNoErrorAndTheStlComesBackByteForByte() throws Exception {
    TriangleMesh mesh = tetrahedron();
    byte[] dicom = DicomModels.encapsulatedStl(mesh, CONTEXT);
    Path file = work.resolve("model.dcm");
    Files.write(file, dicom);

    String report = dciodvfy(file);
    assertThat(report).contains("EncapsulatedSTL");
    assertThat(report.lines().filter(l -> l.startsWith("Error"))).as(report).isEmpty();

    AttributeList list = new AttributeList();
    list.read(new com.pixelmed.dicom.DicomInputStream(new ByteArrayInputStream(dicom)));
    byte[] document = list.get(TagFromName.EncapsulatedDocument).getByteValues();
    long length = Attribute.getSingleLongValueOrDefault(list, new AttributeTag(0x0042, 0x0015), -1);
    assertThat(Arrays.copyOf(document, (int) length)).isEqualTo(Modeling.toStl(mesh));
    assertThat(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.FrameOfReferenceUID))
        .isEqualTo(CONTEXT.frameOfReferenceUid());
  }

  /**
   * Debian's dicom3tools (2022-06) predates the Encapsulated OBJ IOD and answers "Information
   * Object Not found" for its SOP class. The OBJ IOD has the STL IOD's modules (only the SOP class
   * and the document's MIME type differ), so where dciodvfy does not know OBJ, a copy with the STL
   * SOP class is verified against the STL IOD's modules; where it knows OBJ, the object itself is
   * verified.
   */
  @Test
  void theEncapsulatedObjPassesDciodvfyAndCarriesTheObjBytes() throws Exception {
    TriangleMesh mesh = tetrahedron();
    byte[] dicom = DicomModels.encapsulatedObj(mesh, CONTEXT);
    Path file = work.resolve("model-obj.dcm");
    Files.write(file, dicom);
    String report = dciodvfy(file);
    if (report.contains("Information Object Not found")) {
      AttributeList copy = new AttributeList();
      copy.read(new com.pixelmed.dicom.DicomInputStream(new ByteArrayInputStream(dicom)));
      for (AttributeTag tag :
          new AttributeTag[] {TagFromName.SOPClassUID, TagFromName.MediaStorageSOPClassUID}) {
        copy.get(tag).setValue(DicomModels.ENCAPSULATED_STL);
      }
      copy.get(TagFromName.MIMETypeOfEncapsulatedDocument).setValue("model/stl");
      Path asStl = work.resolve("model-obj-as-stl.dcm");
      copy.write(
          asStl.toFile(), com.pixelmed.dicom.TransferSyntax.ExplicitVRLittleEndian, true, true);
      report = dciodvfy(asStl);
      assertThat(report).contains("EncapsulatedSTL");
    } else {
      assertThat(report).contains("EncapsulatedOBJ");
    }
    assertThat(report.lines().filter(l -> l.startsWith("Error"))).as(report).isEmpty();

    AttributeList list = new AttributeList();
    list.read(new com.pixelmed.dicom.DicomInputStream(new ByteArrayInputStream(dicom)));
    assertThat(Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPClassUID))
        .isEqualTo(DicomModels.ENCAPSULATED_OBJ);
    assertThat(
            Attribute.getSingleStringValueOrEmptyString(
                list, TagFromName.MIMETypeOfEncapsulatedDocument))
        .isEqualTo("model/obj");
    byte[] document = list.get(TagFromName.EncapsulatedDocument).getByteValues();
    long length = Attribute.getSingleLongValueOrDefault(list, new AttributeTag(0x0042, 0x0015), -1);
    assertThat(Arrays.copyOf(document, (int) length)).isEqualTo(Modeling.toObj(mesh));
  }

  private static String dciodvfy(Path file) throws Exception {
    Process check =
        new ProcessBuilder("dciodvfy", file.toString()).redirectErrorStream(true).start();
    String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(1, TimeUnit.MINUTES)).isTrue();
    return report;
  }

  @Test
  void theSpatialRegistrationPassesDciodvfyAndCarriesTheMatrix() throws Exception {
    List<DicomModels.Source> moving =
        List.of(
            new DicomModels.Source(
                "1.2.826.0.1.3680043.10.1000.9",
                "1.2.840.10008.5.1.4.1.1.2",
                "1.2.826.0.1.3680043.10.1000.10"));
    double[] matrix = {
      0.999999698951497, -4.6100618790092304E-4, -6.241555979897541E-4, 0.7339219720203802,
      4.605151061622285E-4, 0.9999995845072998, -7.867090080906009E-4, 1.412775850521805,
      6.2451801637843E-4, 7.86421338171631E-4, 0.9999994957592357, -0.3095438336941302
    };
    byte[] dicom = DicomModels.spatialRegistration(CONTEXT, moving, matrix, "point-to-plane ICP");
    Path file = work.resolve("registration.dcm");
    Files.write(file, dicom);
    String report = dciodvfy(file);
    assertThat(report).contains("SpatialRegistration");
    assertThat(report.lines().filter(l -> l.startsWith("Error"))).as(report).isEmpty();

    AttributeList list = new AttributeList();
    list.read(new com.pixelmed.dicom.DicomInputStream(new ByteArrayInputStream(dicom)));
    var registrations =
        (com.pixelmed.dicom.SequenceAttribute) list.get(new AttributeTag(0x0070, 0x0308));
    assertThat(registrations.getNumberOfItems()).isEqualTo(2);
    AttributeList second = registrations.getItem(1).getAttributeList();
    AttributeList matrixItem =
        ((com.pixelmed.dicom.SequenceAttribute)
                ((com.pixelmed.dicom.SequenceAttribute)
                        second.get(new AttributeTag(0x0070, 0x0309)))
                    .getItem(0)
                    .getAttributeList()
                    .get(new AttributeTag(0x0070, 0x030A)))
            .getItem(0)
            .getAttributeList();
    double[] stored = Attribute.getDoubleValues(matrixItem, new AttributeTag(0x3006, 0x00C6));
    assertThat(stored).hasSize(16);
    for (int i = 0; i < 12; i++) {
      assertThat(stored[i]).isCloseTo(matrix[i], org.assertj.core.api.Assertions.within(1e-12));
    }
    assertThat(DicomModels.spatialRegistration(CONTEXT, moving, matrix, "point-to-plane ICP"))
        .isEqualTo(dicom);
  }

  @Test
  void theSameInputsGiveTheSameBytes() {
    assertThat(DicomModels.encapsulatedStl(tetrahedron(), CONTEXT))
        .isEqualTo(DicomModels.encapsulatedStl(tetrahedron(), CONTEXT));
  }
}

package org.anatwin.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import org.anatwin.ingest.IngestException;
import org.anatwin.model.Volume;
import org.apache.commons.numbers.core.Precision;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tilted phantom series of {@code ../shared/data} recompressed by dcmtk into every transfer
 * syntax we store (lossless JPEG with each of its seven predictors, lossless JPEG-LS with default
 * and preset parameters) assembles into exactly the voxels of the uncompressed series; syntaxes we
 * do not store, corrupt frames, corrupt and over-inflating deflated files are refused with their
 * codes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompressedSeriesIT {
  private final SeriesAssembler assembler =
      new SeriesAssembler(
          SeriesAssembler.TiltPolicy.RESAMPLE,
          Precision.doubleEquivalenceOfEpsilon(1e-4),
          Precision.doubleEquivalenceOfEpsilon(0.01));

  @TempDir static Path work;
  private List<Path> originals;
  private Volume reference;

  @BeforeAll
  void extract() throws Exception {
    Path archive =
        Path.of(System.getProperty("anatwin.shared", "../shared"))
            .resolve("data")
            .resolve("ct-skull-phantom-study2-tilt-2.5mm.tar.xz");
    Path input = Files.createDirectories(work.resolve("input"));
    Process tar =
        new ProcessBuilder("tar", "-xJf", archive.toString(), "-C", input.toString())
            .inheritIO()
            .start();
    assertThat(tar.waitFor()).isZero();
    try (Stream<Path> files = Files.walk(input)) {
      originals = files.filter(Files::isRegularFile).sorted().toList();
    }
    reference = assemble(originals);
  }

  private Volume assemble(List<Path> files) throws Exception {
    List<SeriesAssembler.Slice> slices = new ArrayList<>();
    for (Path file : files) {
      slices.add(Slices.of(Files.readAllBytes(file)));
    }
    return assembler.assemble(
        DicomInstance.parse(slices.getFirst().bytes()).seriesInstanceUid(), slices);
  }

  /** Runs a dcmtk converter over every original into a folder of its own. */
  private List<Path> convert(String name, String... tool) throws Exception {
    Path folder = Files.createDirectories(work.resolve(name));
    List<Path> out = new ArrayList<>();
    for (Path original : originals) {
      Path target = folder.resolve(original.getFileName().toString());
      List<String> command = new ArrayList<>(List.of(tool));
      command.add(original.toString());
      command.add(target.toString());
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      assertThat(process.waitFor()).as(output).isZero();
      out.add(target);
    }
    return out;
  }

  private static String transferSyntaxOf(Path file) throws Exception {
    com.pixelmed.dicom.AttributeList meta = new com.pixelmed.dicom.AttributeList();
    meta.read(file.toFile(), com.pixelmed.dicom.TagFromName.PatientID);
    return com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(
        meta, com.pixelmed.dicom.TagFromName.TransferSyntaxUID);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "deflated, 1.2.840.10008.1.2.1.99, dcmconv +td",
    "rle, 1.2.840.10008.1.2.5, dcmcrle",
    "jpeg-lossless, 1.2.840.10008.1.2.4.57, dcmcjpeg +el",
    "jpeg-lossless-sv1, 1.2.840.10008.1.2.4.70, dcmcjpeg +e1",
    "jpeg-lossless-predictor-2, 1.2.840.10008.1.2.4.57, dcmcjpeg +el +sv 2",
    "jpeg-lossless-predictor-3, 1.2.840.10008.1.2.4.57, dcmcjpeg +el +sv 3",
    "jpeg-lossless-predictor-4, 1.2.840.10008.1.2.4.57, dcmcjpeg +el +sv 4",
    "jpeg-lossless-predictor-5, 1.2.840.10008.1.2.4.57, dcmcjpeg +el +sv 5",
    "jpeg-lossless-predictor-7, 1.2.840.10008.1.2.4.57, dcmcjpeg +el +sv 7",
    "jpeg-ls, 1.2.840.10008.1.2.4.80, dcmcjpls",
    "jpeg-ls-cooked, 1.2.840.10008.1.2.4.80, dcmcjpls +pc",
    "jpeg-ls-preset-thresholds-and-reset, 1.2.840.10008.1.2.4.80, dcmcjpls +t1 9 +t2 40 +t3 300 +rs 17",
    "jpeg-ls-small-thresholds, 1.2.840.10008.1.2.4.80, dcmcjpls +t1 2 +t2 3 +t3 4 +rs 255"
  })
  void aLosslessSyntaxAssemblesIntoTheVoxelsOfTheUncompressedSeries(
      String name, String syntax, String tool) throws Exception {
    List<Path> files = convert(name, tool.split(" "));
    assertThat(transferSyntaxOf(files.getFirst())).isEqualTo(syntax);
    for (Path file : files) {
      DicomInstance.parse(Files.readAllBytes(file)); // stored as received: the parse accepts it
    }
    Volume volume = assemble(files);
    assertThat(volume.geometry()).isEqualTo(reference.geometry());
    assertThat(Arrays.equals(volume.voxels(), reference.voxels()))
        .as("every voxel equal to the uncompressed series'")
        .isTrue();
    assertThat(volume.parameters())
        .containsKey("gantryTiltDegrees")
        .isEqualTo(reference.parameters());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "same-implicit, dcmconv +ti",
    "same-big-endian, dcmconv +tb",
    "same-rle, dcmcrle",
    "same-jpeg-lossless, dcmcjpeg +el +sv 4"
  })
  void anotherLosslessEncodingHoldsTheSameDataSetAndAnyChangeMakesItDifferent(
      String name, String tool) throws Exception {
    List<Path> files = convert(name, tool.split(" "));
    for (int i = 0; i < 3; i++) {
      byte[] original = Files.readAllBytes(originals.get(i));
      byte[] converted = Files.readAllBytes(files.get(i));
      assertThat(DicomInstance.parse(converted).datasetHash())
          .isNotEqualTo(DicomInstance.parse(original).datasetHash());
      assertThat(DataSetEquivalence.same(original, converted, name)).as(name).isTrue();
    }
    // the same conversions of a copy with one attribute changed, and with one pixel changed
    Path patient = work.resolve(name + "-patient.dcm");
    Files.copy(originals.getFirst(), patient);
    run("dcmodify", "-nb", "-m", "(0010,0010)=OTHER^NAME", patient.toString());
    Path description = work.resolve(name + "-description.dcm");
    Files.copy(originals.getFirst(), description);
    run("dcmodify", "-nb", "-i", "(0008,2111)=Resampled by another tool", description.toString());
    Path pixel = work.resolve(name + "-pixel.dcm");
    byte[] bytes = Files.readAllBytes(originals.getFirst());
    bytes[bytes.length - 2] ^= 0x04;
    Files.write(pixel, bytes);
    for (Path changed : List.of(patient, description, pixel)) {
      Path out = work.resolve(changed.getFileName() + "-converted.dcm");
      List<String> command = new ArrayList<>(List.of(tool.split(" ")));
      command.addAll(List.of(changed.toString(), out.toString()));
      run(command.toArray(String[]::new));
      assertThat(
              DataSetEquivalence.same(
                  Files.readAllBytes(originals.getFirst()), Files.readAllBytes(out), name))
          .as(name + " of " + changed.getFileName())
          .isFalse();
    }
  }

  @Test
  void onlyALosslessCompressorsNoteInDerivationDescriptionIsEncoding() {
    assertThat(
            DataSetEquivalence.onlyACompressionNote(
                "", "Lossless JPEG compression, selection value 1, point transform 0"))
        .isTrue();
    assertThat(
            DataSetEquivalence.onlyACompressionNote(
                "Bone kernel", "Lossless JPEG compression, selection value 1 [Bone kernel]"))
        .isTrue();
    assertThat(
            DataSetEquivalence.onlyACompressionNote(
                "", "Lossless JPEG compression, selection value 1 [Resampled by another tool]"))
        .isFalse();
    assertThat(DataSetEquivalence.onlyACompressionNote("", "Lossy JPEG compression, ratio 9"))
        .isFalse();
    assertThat(DataSetEquivalence.onlyACompressionNote("Bone kernel", "Soft kernel")).isFalse();
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(output).isZero();
  }

  @Test
  void aDeflatedFileHashesLikeItsUncompressedDataSet() throws Exception {
    Path deflated = convert("deflated-hash", "dcmconv", "+td").getFirst();
    byte[] bytes = Files.readAllBytes(deflated);
    assertThat(Files.size(deflated)).isLessThan(Files.size(originals.getFirst()));
    DicomInstance inflated = DicomInstance.parse(bytes);
    DicomInstance plain = DicomInstance.parse(Files.readAllBytes(originals.getFirst()));
    assertThat(inflated.datasetHash())
        .as("a re-send in another of the uncompressed syntaxes is a duplicate, not a conflict")
        .isEqualTo(plain.datasetHash());
    assertThat(inflated.fileHash()).isNotEqualTo(plain.fileHash());
  }

  @Test
  void aLossySyntaxIsRefusedAsAFile() throws Exception {
    Path jpegLs = convert("jpeg-ls-near-lossless", "dcmcjpls", "+en").getFirst();
    assertThat(transferSyntaxOf(jpegLs)).isEqualTo("1.2.840.10008.1.2.4.81");
    byte[] bytes = Files.readAllBytes(jpegLs);
    assertThatThrownBy(() -> DicomInstance.parse(bytes))
        .isInstanceOfSatisfying(
            IngestException.class,
            e -> assertThat(e.code()).isEqualTo("ingest:file.transfer-syntax"));
  }

  @Test
  void aCorruptCompressedFrameIsRefusedWithACodeNotAssembled() throws Exception {
    List<Path> files = convert("jpeg-cut", "dcmcjpeg", "+el");
    List<SeriesAssembler.Slice> slices = new ArrayList<>();
    for (Path file : files) {
      slices.add(Slices.of(Files.readAllBytes(file)));
    }
    // the Huffman tables of one frame overwritten: its codes no longer decode
    byte[] bytes = slices.get(7).bytes();
    int dht = indexOf(bytes, new byte[] {(byte) 0xFF, (byte) 0xC4});
    Arrays.fill(bytes, dht + 5, dht + 21, (byte) 0);
    assertThatThrownBy(
            () ->
                assembler.assemble(
                    DicomInstance.parse(slices.getFirst().bytes()).seriesInstanceUid(), slices))
        .isInstanceOfSatisfying(
            IngestException.class,
            e -> assertThat(e.code()).isEqualTo("ingest:series.pixel-decode"));
  }

  @Test
  void aTruncatedOrMisdescribedJpegLsFrameIsRefusedWithACode() throws Exception {
    Path file = convert("jpeg-ls-cut", "dcmcjpls").getFirst();
    com.pixelmed.dicom.AttributeList list =
        DicomInstance.read(Files.readAllBytes(file), null, false);
    byte[] frame =
        ((com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames) list.getPixelData())
            .getByteValuesForSelectedFrame(0);
    int rows =
        com.pixelmed.dicom.Attribute.getSingleIntegerValueOrDefault(
            list, com.pixelmed.dicom.TagFromName.Rows, 0);
    int columns =
        com.pixelmed.dicom.Attribute.getSingleIntegerValueOrDefault(
            list, com.pixelmed.dicom.TagFromName.Columns, 0);
    assertThat(JpegLs.decode(frame, rows, columns)).hasSize(rows * columns);
    byte[] cut = Arrays.copyOf(frame, frame.length / 2);
    for (Runnable refused :
        List.<Runnable>of(
            () -> JpegLs.decode(cut, rows, columns),
            () -> JpegLs.decode(frame, rows + 1, columns),
            () -> JpegLs.decode(Arrays.copyOf(frame, 20), rows, columns))) {
      assertThatThrownBy(refused::run)
          .isInstanceOfSatisfying(
              IngestException.class,
              e -> assertThat(e.code()).isEqualTo("ingest:series.pixel-decode"));
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  @Test
  void aTruncatedDeflatedDataSetIsRefused() throws Exception {
    byte[] bytes = Files.readAllBytes(convert("deflated-cut", "dcmconv", "+td").getFirst());
    byte[] cut = Arrays.copyOf(bytes, bytes.length - bytes.length / 3);
    assertThatThrownBy(() -> DicomInstance.parse(cut))
        .isInstanceOfSatisfying(
            IngestException.class, e -> assertThat(e.code()).isEqualTo("ingest:file.bad-deflate"));
  }

  @Test
  void aDeflatedDataSetInflatingPastTheLimitIsRefusedBeforeItIsHeld() throws Exception {
    byte[] bytes = Files.readAllBytes(convert("deflated-bomb", "dcmconv", "+td").getFirst());
    int metaEnd = metaEnd(bytes);
    // the real meta group, then 64 MiB of zeros deflated (a few dozen KiB)
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    byte[] zeros = new byte[1 << 20];
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    bomb.write(bytes, 0, metaEnd);
    byte[] chunk = new byte[1 << 16];
    for (int i = 0; i < 64; i++) {
      deflater.setInput(zeros);
      while (!deflater.needsInput()) {
        bomb.write(chunk, 0, deflater.deflate(chunk));
      }
    }
    deflater.finish();
    while (!deflater.finished()) {
      bomb.write(chunk, 0, deflater.deflate(chunk));
    }
    deflater.end();
    assertThat(bomb.size()).isLessThan(1 << 20);
    DicomStructure.Limits limits = new DicomStructure.Limits(200_000, 12, 1L << 30, 8L << 20);
    assertThatThrownBy(() -> DicomInstance.parse(bomb.toByteArray(), limits))
        .isInstanceOfSatisfying(
            IngestException.class, e -> assertThat(e.code()).isEqualTo("ingest:file.too-large"));
  }

  /** Where the data set starts: after the preamble and the explicit VR meta group. */
  private static int metaEnd(byte[] b) {
    int at = 132;
    while ((b[at] & 0xff | (b[at + 1] & 0xff) << 8) == 0x0002) {
      String vr = new String(b, at + 4, 2, java.nio.charset.StandardCharsets.US_ASCII);
      if (vr.equals("OB") || vr.equals("UN") || vr.equals("SQ") || vr.equals("UT")) {
        at += 12 + (b[at + 8] & 0xff | (b[at + 9] & 0xff) << 8 | (b[at + 10] & 0xff) << 16);
      } else {
        at += 8 + (b[at + 6] & 0xff | (b[at + 7] & 0xff) << 8);
      }
    }
    return at;
  }
}

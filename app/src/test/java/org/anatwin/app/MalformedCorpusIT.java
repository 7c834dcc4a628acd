package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.anatwin.ingest.ImportReport;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * More than forty malformed files made from one good phantom slice — truncated, wrong and huge
 * lengths, deep sequences, bad transfer syntaxes, no meta header, hostile UIDs, random bytes — are
 * each refused with a code; nothing of them is stored and the service keeps answering.
 */
class MalformedCorpusIT extends ServiceIT {
  @Autowired Ingest ingest;
  @Autowired Storage storage;
  @LocalServerPort int port;

  private static byte[] goodSlice() throws Exception {
    Path phantom = tempDir("anatwin-it-malformed-phantom");
    Ingest.writePhantom(phantom);
    try (Stream<Path> files = Files.list(phantom.resolve("femur"))) {
      return Files.readAllBytes(files.sorted().findFirst().orElseThrow());
    }
  }

  /** Offset of the first element with this tag (explicit VR little endian). */
  private static int find(byte[] b, int group, int element) {
    for (int i = 132; i + 4 <= b.length; i++) {
      if ((b[i] & 0xff) == (group & 0xff)
          && (b[i + 1] & 0xff) == group >> 8
          && (b[i + 2] & 0xff) == (element & 0xff)
          && (b[i + 3] & 0xff) == element >> 8) {
        return i;
      }
    }
    throw new IllegalStateException("tag not found");
  }

  private static byte[] with(byte[] b, int at, byte... patch) {
    byte[] copy = b.clone();
    System.arraycopy(patch, 0, copy, at, patch.length);
    return copy;
  }

  private static byte[] le16(int v) {
    return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array();
  }

  private static byte[] le32(long v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
  }

  private static byte[] replaceValue(byte[] b, int group, int element, String value) {
    int at = find(b, group, element);
    int length = (b[at + 6] & 0xff) | (b[at + 7] & 0xff) << 8;
    byte[] v = Arrays.copyOf(value.getBytes(StandardCharsets.ISO_8859_1), length);
    return with(b, at + 8, v);
  }

  private static Map<String, byte[]> corpus(byte[] good) throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    int[] cuts = {
      0, 1, 64, 128, 131, 132, 140, 150, 200, 300, good.length / 2, good.length - 1, good.length - 7
    };
    for (int cut : cuts) {
      files.put("truncated-" + cut, Arrays.copyOf(good, cut));
    }
    int rows = find(good, 0x0028, 0x0010);
    files.put("rows-length-ffff", with(good, rows + 6, le16(0xFFFF)));
    int pixels = find(good, 0x7FE0, 0x0010);
    files.put("pixels-length-over", with(good, pixels + 8, le32(good.length)));
    files.put("pixels-length-huge", with(good, pixels + 8, le32(0xFFFFFFF0L)));
    files.put("pixels-length-odd-huge", with(good, pixels + 8, le32(0x7FFFFFFFL)));
    int meta = 132;
    files.put("meta-group-length-huge", with(good, meta + 8, le32(0xFFFFFFF0L)));
    int ts = find(good, 0x0002, 0x0010);
    files.put("ts-length-huge", with(good, ts + 6, le16(0xFFF0)));
    files.put("ts-unknown", replaceValue(good, 0x0002, 0x0010, "1.2.3.4.5.6.7.8.9"));
    files.put("ts-garbage", replaceValue(good, 0x0002, 0x0010, "../../../../etc/pw"));
    files.put("ts-trailing-dot", replaceValue(good, 0x0002, 0x0010, "1.2.840.10008.1.2.1.99"));
    files.put("ts-private", replaceValue(good, 0x0002, 0x0010, "1.2.840.10008.1.3.7"));
    files.put("ts-empty", with(good, ts + 6, le16(0)));
    files.put("vr-garbage", with(good, rows + 4, "zz".getBytes(StandardCharsets.US_ASCII)));
    files.put("vr-nul", with(good, rows + 4, new byte[] {0, 0}));
    int sop = find(good, 0x0008, 0x0018);
    files.put("uid-dot-dot", replaceValue(good, 0x0008, 0x0018, "../../../../../etc/passwd"));
    files.put("uid-nul", replaceValue(good, 0x0008, 0x0018, "1.2.3\0\0.4.5"));
    files.put("uid-letters", replaceValue(good, 0x0008, 0x0018, "1.2.abc.4"));
    files.put("uid-empty", with(good, sop + 6, le16(0)));
    files.put("series-uid-slash", replaceValue(good, 0x0020, 0x000E, "/tmp/x"));
    files.put("study-uid-backslash", replaceValue(good, 0x0020, 0x000D, "..\\..\\x"));
    Random random = new Random(42);
    for (int size : new int[] {10, 131, 132, 1000, 100_000}) {
      byte[] noise = new byte[size];
      random.nextBytes(noise);
      files.put("random-" + size, noise);
    }
    byte[] noDicm = good.clone();
    noDicm[128] = 'X';
    files.put("no-dicm-magic", noDicm);
    files.put("no-meta-garbage-start", Arrays.copyOfRange(good, 150, good.length));
    files.put(
        "deep-sequences", deepSequences(Arrays.copyOf(good, find(good, 0x0008, 0x0016)), 200));
    files.put(
        "element-bomb", elementBomb(Arrays.copyOf(good, find(good, 0x0008, 0x0016)), 250_000));
    files.put(
        "sequence-bad-item", sequenceWithBadItem(Arrays.copyOf(good, find(good, 0x0008, 0x0016))));
    files.put(
        "undefined-length-text", undefinedText(Arrays.copyOf(good, find(good, 0x0008, 0x0016))));
    files.put(
        "unclosed-sequence",
        deepSequences(Arrays.copyOf(good, find(good, 0x0008, 0x0016)), 1, false));
    files.put("empty", new byte[0]);
    files.put("only-preamble", Arrays.copyOf(good, 132));
    return files;
  }

  private static byte[] deepSequences(byte[] head, int depth) throws Exception {
    return deepSequences(head, depth, true);
  }

  /**
   * Nested (0008,1140) sequences of undefined length, each holding one item of undefined length.
   */
  private static byte[] deepSequences(byte[] head, int depth, boolean closed) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(head);
    for (int d = 0; d < depth; d++) {
      out.write(new byte[] {0x08, 0x00, 0x40, 0x11, 'S', 'Q', 0, 0});
      out.write(le32(0xFFFFFFFFL));
      out.write(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0});
      out.write(le32(0xFFFFFFFFL));
    }
    if (closed) {
      for (int d = 0; d < depth; d++) {
        out.write(new byte[] {(byte) 0xFE, (byte) 0xFF, 0x0D, (byte) 0xE0, 0, 0, 0, 0});
        out.write(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xDD, (byte) 0xE0, 0, 0, 0, 0});
      }
    }
    return out.toByteArray();
  }

  private static byte[] elementBomb(byte[] head, int count) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(head);
    for (int i = 0; i < count; i++) {
      out.write(
          new byte[] {
            0x09, 0x00, (byte) (i & 0xff), (byte) (0x10 + ((i >> 8) & 0x0f)), 'L', 'O', 0, 0
          });
    }
    return out.toByteArray();
  }

  private static byte[] sequenceWithBadItem(byte[] head) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(head);
    out.write(new byte[] {0x08, 0x00, 0x40, 0x11, 'S', 'Q', 0, 0});
    out.write(le32(0xFFFFFFFFL));
    out.write(new byte[] {0x10, 0x00, 0x10, 0x00, 'P', 'N', 2, 0, 'A', 'B'});
    return out.toByteArray();
  }

  private static byte[] undefinedText(byte[] head) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(head);
    out.write(new byte[] {0x08, 0x00, 0x00, 0x41, 'U', 'T', 0, 0});
    out.write(le32(0xFFFFFFFFL));
    out.write("text".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private long count(String cypher) {
    return storage.graph().read(tx -> tx.run(cypher).single().get(0).asLong());
  }

  private long blobs() throws Exception {
    try (Stream<Path> files = Files.walk(HOME.resolve("blobs"))) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void everyMalformedFileIsRefusedWithACodeAndLeavesNothingBehind() throws Exception {
    Map<String, byte[]> corpus = corpus(goodSlice());
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(40);
    Path folder = tempDir("anatwin-it-malformed");
    for (var file : corpus.entrySet()) {
      Files.write(folder.resolve(file.getKey()), file.getValue());
    }
    long instances = count("MATCH (i:Instance) RETURN count(i)");
    long blobs = blobs();

    ImportReport report = ingest.importFolder(folder, new Actor("it-admin", "admin"));

    java.util.Set<String> accepted = new java.util.TreeSet<>(corpus.keySet());
    report.rejected().forEach(r -> accepted.remove(r.file()));
    assertThat(accepted).as("accepted from the corpus").isEmpty();
    assertThat(report.stored() + report.duplicates()).isZero();
    assertThat(report.rejected()).hasSize(corpus.size());
    assertThat(report.rejected())
        .allSatisfy(
            r -> assertThat(r.code()).as(r.file() + ": " + r.message()).matches("ingest:[a-z.-]+"));
    assertThat(count("MATCH (i:Instance) RETURN count(i)")).isEqualTo(instances);
    assertThat(blobs()).isEqualTo(blobs);
    assertThat(
            new GraphQlClient(port)
                .data(new GraphQlClient(port).token("admin"), "{ about { name } }", Map.of())
                .get("about")
                .get("name")
                .asString())
        .isEqualTo("Anatwin");
  }
}

package org.anatwin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.anatwin.model.ContentHash;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver is killed with SIGKILL at random moments while {@code storescu} sends 500 instances,
 * ten times over the same store. Afterwards every instance that was acknowledged with success is in
 * the graph, its blob is there and matches its hash, no instance points at a missing blob, and no
 * partial file is left.
 */
class CrashRecoveryIT {
  private static final int INSTANCES = 500;
  private static final int KILLS = 10;

  @TempDir Path work;

  @Test
  void everyAcknowledgedInstanceSurvivesTenKills() throws Exception {
    long seed = Long.getLong("anatwin.crash.seed", System.nanoTime());
    Random random = new Random(seed);
    List<Path> files =
        new SyntheticSeries("crash-test", 1, 64, 64, 0.7, INSTANCES, 1.0, 0, 0, 0)
            .write(work.resolve("series"), (x, y, z) -> x + y + z);
    Map<String, String> uidOfFile = new HashMap<>();
    for (Path file : files) {
      AttributeList list = new AttributeList();
      list.read(file.toFile(), TagFromName.PixelData);
      uidOfFile.put(
          file.toString(),
          Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID));
    }
    Path home = work.resolve("home");
    Set<String> acknowledged = new HashSet<>();
    for (int round = 0; round < KILLS; round++) {
      int port = freePort();
      Process receiver = startReceiver(home, port);
      // each round starts further into the series, so every round sends instances not yet stored
      List<String> command =
          new ArrayList<>(List.of("storescu", "-v", "-aec", "ANATWIN", "127.0.0.1", "" + port));
      for (int i = 0; i < INSTANCES; i++) {
        command.add(files.get((i + round * INSTANCES / KILLS) % INSTANCES).toString());
      }
      Process scu = new ProcessBuilder(command).redirectErrorStream(true).start();
      Thread.sleep(1000 + random.nextInt(4000));
      receiver.destroyForcibly(); // SIGKILL
      receiver.waitFor(30, TimeUnit.SECONDS);
      String output = new String(scu.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      scu.waitFor(30, TimeUnit.SECONDS);
      acknowledged.addAll(successes(output, uidOfFile));
    }
    System.out.printf(
        "crash test: %d instances acknowledged over %d kills (seed %d)%n",
        acknowledged.size(), KILLS, seed);
    assertThat(acknowledged)
        .as("the kills left some acknowledged instances to check (seed %d)", seed)
        .isNotEmpty();

    try (Storage storage = Storage.open(Storage.Settings.embedded(home))) {
      Map<String, String> blobOf =
          storage
              .graph()
              .read(
                  tx -> {
                    Map<String, String> out = new HashMap<>();
                    tx.run("MATCH (i:Instance) RETURN i.sopInstanceUid AS uid, i.sha256 AS blob")
                        .forEachRemaining(
                            r -> out.put(r.get("uid").asString(), r.get("blob").asString()));
                    return out;
                  });
      assertThat(blobOf.keySet())
          .as("acknowledged instances present after restart (seed %d)", seed)
          .containsAll(acknowledged);
      for (String blob : blobOf.values()) {
        // throws storage:blob.missing or storage:blob.corrupt
        assertThat(storage.blobs().get(ContentHash.parse(blob))).isNotEmpty();
      }
    }
    try (Stream<Path> partial = Files.list(home.resolve("blobs").resolve("tmp"))) {
      assertThat(partial.toList()).as("partial blob files").isEmpty();
    }
  }

  /** SOP Instance UIDs of the files storescu got a success response for. */
  private static Set<String> successes(String output, Map<String, String> uidOfFile) {
    Set<String> out = new HashSet<>();
    String sending = null;
    for (String line : output.split("\n")) {
      if (line.startsWith("I: Sending file: ")) {
        sending = line.substring("I: Sending file: ".length()).strip();
      } else if (line.startsWith("I: Received Store Response (Success)") && sending != null) {
        out.add(uidOfFile.get(sending));
      }
    }
    return out;
  }

  private static Process startReceiver(Path home, int port) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process =
        new ProcessBuilder(
                java,
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                ReceiverMain.class.getName(),
                home.toString(),
                Integer.toString(port))
            .redirectErrorStream(true)
            .start();
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = lines.readLine()) != null; ) {
      if (line.startsWith("READY ")) {
        Thread.ofVirtual().start(() -> lines.lines().forEach(l -> {}));
        return process;
      }
    }
    throw new IllegalStateException("the receiver ended before it was ready");
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}

package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.anatwin.ingest.Ingest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The real service, started from its jar as its own process on a data folder, is killed (SIGKILL)
 * while a job prints on a printer speaking OctoPrint's API, then started again on the same folder:
 * it resumes polling the job, and the job's events run 1, 2, 3, ... with nothing lost or recorded
 * twice, to the artefact.
 */
class ServiceRestartIT {
  private static final Path JAR = Path.of("target", "anatwin.jar");

  @Test
  void aKilledServiceResumesPollingItsPrintJobWithoutLosingOrRepeatingAnEvent() throws Exception {
    Path home = Files.createTempDirectory("anatwin-it-restart");
    Path phantom = Files.createTempDirectory("anatwin-it-restart-phantom");
    Ingest.writePhantom(phantom);
    try (PrintPreparationIT.FakeOctoPrint octo =
        new PrintPreparationIT.FakeOctoPrint("restart-key")) {
      Service first = Service.start(home, octo);
      String order;
      try {
        GraphQlClient client = first.client;
        String series = client.importFolder(phantom.resolve("skull"));
        String planner = client.token("planner");
        String radiologist = client.token("radiologist");
        String technician = client.token("technician");
        JsonNode version =
            client
                .data(
                    planner,
                    """
                    mutation($s: String!) { buildTwinVersion(input: {seriesUid: $s, structures: [{name: "skull", minimumHu: 620}]}) {
                      id structures { mesh { id } } } }""",
                    Map.of("s", series))
                .get("buildTwinVersion");
        client.data(
            radiologist,
            """
            mutation($v: ID!) { approveSegmentation(versionId: $v, decision: {approved: true, meaning: "segmentation approved", reason: "checked"}) { id } }""",
            Map.of("v", version.get("id").asString()));
        order =
            client
                .data(
                    planner,
                    """
                    mutation($m: [ID!]!) { createPrintOrder(input: {meshIds: $m, intendedUse: EDUCATION, material: "PLA", scale: 0.25}) { id } }""",
                    Map.of(
                        "m",
                        List.of(version.get("structures").get(0).get("mesh").get("id").asString())))
                .get("createPrintOrder")
                .get("id")
                .asString();
        client.data(
            radiologist,
            """
            mutation($id: ID!) { approvePrintOrder(id: $id, decision: {approved: true, meaning: "approved for printing", reason: "ok"}) { state } }""",
            Map.of("id", order));
        client.data(
            technician,
            "mutation($id: ID!) { preparePrintOrder(id: $id, printerId: \"octo-restart\") { state } }",
            Map.of("id", order));
        client.data(
            technician,
            "mutation($o: ID!) { submitPrintJob(orderId: $o, materialLot: \"LOT-R1\") { id } }",
            Map.of("o", order));
        octo.progress("Printing", 30);
        first.await(order, states -> states.contains("PRINTING 30"));
      } finally {
        first.kill();
      }
      octo.progress("Printing", 60);
      Service second = Service.start(home, octo);
      try {
        second.await(order, states -> states.contains("PRINTING 60"));
        octo.progress("Operational", 100);
        JsonNode done = second.await(order, states -> states.contains("DONE 100"));
        JsonNode events = done.get("jobs").get(0).get("events");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
          assertThat(events.get(i).get("seq").asInt()).as("no gap").isEqualTo(i + 1);
          seen.add(
              events.get(i).get("state").asString()
                  + " "
                  + (int) events.get(i).get("completion").asDouble());
        }
        assertThat(seen).doesNotHaveDuplicates();
        assertThat(seen).containsSubsequence("QUEUED 0", "PRINTING 30", "PRINTING 60", "DONE 100");
        // read again: the job's events and its artefacts were read in two transactions, and the
        // artefact may have been committed (with the DONE event) between them
        JsonNode printed = second.order(order);
        assertThat(printed.get("state").asString()).isEqualTo("PRINTED");
        assertThat(printed.get("jobs").get(0).get("artefacts")).hasSize(1);
      } finally {
        second.stop();
      }
    }
  }

  /** One run of the service's jar. */
  private static final class Service {
    final Process process;
    final GraphQlClient client;
    final Path log;

    private Service(Process process, GraphQlClient client, Path log) {
      this.process = process;
      this.client = client;
      this.log = log;
    }

    static Service start(Path home, PrintPreparationIT.FakeOctoPrint octo) throws Exception {
      int port = freePort();
      Path log = Files.createTempFile("anatwin-it-restart-", ".log");
      List<String> command =
          new ArrayList<>(
              List.of(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-Djava.library.path=" + System.getProperty("java.library.path"),
                  "--enable-native-access=ALL-UNNAMED",
                  "-Xmx2g",
                  "-jar",
                  JAR.toAbsolutePath().toString(),
                  "--server.port=" + port,
                  "--anatwin.home=" + home,
                  "--anatwin.demo=false",
                  "--anatwin.segmentation.auto.enabled=false",
                  "--anatwin.dicom.port=0",
                  "--anatwin.printing.poll-interval=300ms",
                  "--anatwin.printing.printers.octo-restart.driver=octoprint",
                  "--anatwin.printing.printers.octo-restart.url=" + octo.url(),
                  "--anatwin.printing.printers.octo-restart.api-key=restart-key"));
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      Service service = new Service(process, new GraphQlClient(port), log);
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (true) {
        if (!process.isAlive()) {
          throw new AssertionError("the service exited: " + Files.readString(log));
        }
        try {
          service.client.token("admin");
          return service;
        } catch (IOException | RuntimeException notYet) {
          if (System.nanoTime() > deadline) {
            process.destroyForcibly();
            throw new AssertionError("the service did not start: " + Files.readString(log));
          }
          Thread.sleep(500);
        }
      }
    }

    JsonNode order(String id) throws Exception {
      return client
          .data(
              client.token("quality"),
              """
              query($o: ID!) { printOrder(id: $o) { state jobs { events { seq state completion } artefacts { id } } } }""",
              Map.of("o", id))
          .get("printOrder");
    }

    /** Polls the order until its job's events (as "STATE percent") satisfy the condition. */
    JsonNode await(String id, Predicate<List<String>> condition) throws Exception {
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (true) {
        JsonNode order = order(id);
        List<String> states = new ArrayList<>();
        for (JsonNode e : order.get("jobs").get(0).get("events")) {
          states.add(e.get("state").asString() + " " + (int) e.get("completion").asDouble());
        }
        if (condition.test(states)) {
          return order;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("waited in vain; events so far " + states);
        }
        Thread.sleep(200);
      }
    }

    /** SIGKILL: no shutdown hook, no checkpoint, no graceful close of the store. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(60, TimeUnit.SECONDS);
    }

    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}

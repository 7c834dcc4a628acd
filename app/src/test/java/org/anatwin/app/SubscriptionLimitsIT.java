package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.anatwin.api.SubscriptionLimits;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * One WebSocket carries at most 16 operations at once: the 17th subscription is refused with {@code
 * api:subscription.limit}; ending one frees its place, for one more and no more.
 */
class SubscriptionLimitsIT extends ServiceIT {
  @LocalServerPort int port;
  @Autowired Ingest ingest;

  @Test
  void the17thSubscriptionOnOneConnectionIsRefusedUntilOneEnds() throws Exception {
    Path phantom = tempDir("anatwin-it-subscriptions");
    Ingest.writePhantom(phantom);
    String series =
        ingest
            .importFolder(phantom.resolve("femur"), new Actor("it-admin", "admin"))
            .series()
            .iterator()
            .next();
    GraphQlClient client = new GraphQlClient(port);
    String planner = client.token("planner");
    String twin =
        client
            .data(
                planner,
                "mutation($s: String!) { buildTwinVersion(input: {seriesUid: $s, structures: [{name: \"femur\", minimumHu: 620}]}) { twinId } }",
                Map.of("s", series))
            .get("buildTwinVersion")
            .get("twinId")
            .asString();

    BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    java.net.http.WebSocket socket = client.connect(planner, false, received);
    try {
      for (int id = 1; id <= 17; id++) {
        subscribe(socket, id, twin);
      }
      JsonNode refused = nextError(received, 30);
      assertThat(refused).as("an error for the 17th subscription").isNotNull();
      assertThat(refused.get("id").asString()).isEqualTo("17");
      assertThat(refused.toString()).contains(SubscriptionLimits.LIMIT);

      // the client ends subscription 1: its place is free for one more, and no more
      socket.sendText("{\"type\":\"complete\",\"id\":\"1\"}", true).get();
      Thread.sleep(500);
      subscribe(socket, 18, twin);
      subscribe(socket, 19, twin);
      JsonNode next = nextError(received, 30);
      assertThat(next).as("an error for the 19th").isNotNull();
      assertThat(next.get("id").asString()).as(next.toString()).isEqualTo("19");
      assertThat(nextError(received, 1)).as("no error for 18: it runs").isNull();
    } finally {
      socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get();
    }
  }

  /**
   * The next message carrying errors within the time given (a refusal comes as a result with
   * errors, then "complete"; the feeds' own "next" messages are skipped).
   */
  private static JsonNode nextError(BlockingQueue<JsonNode> received, int seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode message = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
      if (message == null
          || message.get("type").asString().equals("error")
          || message.path("payload").has("errors")) {
        return message;
      }
    }
  }

  private static void subscribe(java.net.http.WebSocket socket, int id, String twin)
      throws Exception {
    GraphQlClient.send(
        socket,
        Integer.toString(id),
        "subscription($t: ID!) { twinVersions(twinId: $t) { id } }",
        Map.of("t", twin));
  }
}

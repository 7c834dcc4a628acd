package org.anatwin.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for the running service: tokens from the embedded issuer, GraphQL, files. */
final class GraphQlClient {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  GraphQlClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  String token(String role) throws IOException, InterruptedException {
    String basic =
        java.util.Base64.getEncoder()
            .encodeToString(("demo-" + role + ":demo-" + role + "-secret").getBytes());
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          "no token for " + role + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).get("access_token").asString();
  }

  /** Posts a query; returns the HTTP status and the parsed body. */
  Response post(String token, String query, Map<String, Object> variables)
      throws IOException, InterruptedException {
    String body = JSON.writeValueAsString(Map.of("query", query, "variables", variables));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + "/graphql"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(
        r.statusCode(), r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body()));
  }

  /** Imports a folder on the service's disk as an admin; returns the first series stored. */
  String importFolder(java.nio.file.Path folder) throws IOException, InterruptedException {
    return data(
            token("admin"),
            "mutation($p: String!) { importFolder(path: $p) { series } }",
            Map.of("p", folder.toString()))
        .get("importFolder")
        .get("series")
        .get(0)
        .asString();
  }

  /** Posts a query that must succeed without errors; returns {@code data}. */
  JsonNode data(String token, String query, Map<String, Object> variables)
      throws IOException, InterruptedException {
    Response r = post(token, query, variables);
    if (r.status() != 200 || r.body().has("errors")) {
      throw new AssertionError("GraphQL failed (" + r.status() + "): " + r.body());
    }
    return r.body().get("data");
  }

  HttpResponse<byte[]> get(String token, String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer " + token)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The first error's code of a response that must have failed. */
  static String errorCode(Response r) {
    if (!r.body().has("errors")) {
      throw new AssertionError("expected an error: " + r.body());
    }
    return r.body().get("errors").get(0).path("extensions").path("code").asString();
  }

  /** The first error's classification (FORBIDDEN, UNAUTHORIZED, ...) of a failed response. */
  static String errorClass(Response r) {
    if (!r.body().has("errors")) {
      throw new AssertionError("expected an error: " + r.body());
    }
    return r.body().get("errors").get(0).path("extensions").path("classification").asString();
  }

  /**
   * A GraphQL subscription over WebSocket (graphql-transport-ws, bearer token on the handshake):
   * each {@code next} payload lands in the queue; close the returned socket when done.
   */
  java.net.http.WebSocket subscribe(
      String token,
      String query,
      Map<String, Object> variables,
      java.util.concurrent.BlockingQueue<JsonNode> received)
      throws Exception {
    return subscribe(token, false, query, variables, received);
  }

  /**
   * As {@link #subscribe(String, String, Map, java.util.concurrent.BlockingQueue)}; with {@code
   * tokenInQuery} the token goes in the handshake's {@code access_token} parameter, as a browser
   * sends it (it cannot set headers on a WebSocket).
   */
  java.net.http.WebSocket subscribe(
      String token,
      boolean tokenInQuery,
      String query,
      Map<String, Object> variables,
      java.util.concurrent.BlockingQueue<JsonNode> received)
      throws Exception {
    java.net.http.WebSocket socket = connect(token, tokenInQuery, received);
    send(socket, "1", query, variables);
    return socket;
  }

  /** Sends a "subscribe" message with this id on an open connection. */
  static void send(
      java.net.http.WebSocket socket, String id, String query, Map<String, Object> variables)
      throws Exception {
    socket
        .sendText(
            JSON.writeValueAsString(
                Map.of(
                    "id",
                    id,
                    "type",
                    "subscribe",
                    "payload",
                    Map.of("query", query, "variables", variables))),
            true)
        .get();
  }

  /**
   * A graphql-transport-ws connection, initialised and acknowledged; its "next" and "error"
   * messages go to {@code received}.
   */
  java.net.http.WebSocket connect(
      String token, boolean tokenInQuery, java.util.concurrent.BlockingQueue<JsonNode> received)
      throws Exception {
    java.util.concurrent.CompletableFuture<Void> acknowledged =
        new java.util.concurrent.CompletableFuture<>();
    java.net.http.WebSocket.Builder handshake =
        http.newWebSocketBuilder().subprotocols("graphql-transport-ws");
    String url = base.replace("http:", "ws:") + "/graphql";
    if (tokenInQuery) {
      url +=
          "?access_token="
              + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8);
    } else {
      handshake.header("Authorization", "Bearer " + token);
    }
    java.net.http.WebSocket socket =
        handshake
            .buildAsync(
                URI.create(url),
                new java.net.http.WebSocket.Listener() {
                  private final StringBuilder text = new StringBuilder();

                  @Override
                  public java.util.concurrent.CompletionStage<?> onText(
                      java.net.http.WebSocket ws, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                      JsonNode message = JSON.readTree(text.toString());
                      text.setLength(0);
                      switch (message.path("type").asString()) {
                        case "connection_ack" -> acknowledged.complete(null);
                        case "next", "error" -> received.add(message);
                        default -> {}
                      }
                    }
                    ws.request(1);
                    return null;
                  }
                })
            .get(30, java.util.concurrent.TimeUnit.SECONDS);
    socket.sendText("{\"type\":\"connection_init\",\"payload\":{}}", true).get();
    acknowledged.get(30, java.util.concurrent.TimeUnit.SECONDS);
    return socket;
  }

  static JsonNode readJson(String text) {
    return JSON.readTree(text);
  }

  static String writeJson(Object value) {
    return JSON.writeValueAsString(value);
  }

  record Response(int status, JsonNode body) {}
}

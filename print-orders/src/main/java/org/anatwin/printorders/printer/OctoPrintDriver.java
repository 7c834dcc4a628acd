package org.anatwin.printorders.printer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.anatwin.printorders.PrintOrderException;

/**
 * OctoPrint's REST API: the job's G-code is uploaded to {@code POST /api/files/local} (multipart,
 * {@code select} and {@code print} true) with the API key in {@code X-Api-Key}; {@code GET
 * /api/job} tells the state and completion of the file being printed; {@code POST /api/job} with
 * {@code {"command": "cancel"}} stops it. The uploaded file is named after the job id, never after
 * a patient.
 */
public final class OctoPrintDriver implements PrinterDriver {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,80}");
  private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern COMPLETION =
      Pattern.compile("\"completion\"\\s*:\\s*(null|-?[0-9.eE+-]+)");

  private final URI base;
  private final String apiKey;
  private final HttpClient http;

  public OctoPrintDriver(URI base, String apiKey) {
    this.base = base;
    this.apiKey = apiKey;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @Override
  public String submit(String jobId, List<JobFile> files) {
    if (!SAFE.matcher(jobId).matches()) {
      throw new IllegalArgumentException("unsafe job id " + jobId);
    }
    JobFile gcode =
        files.stream()
            .filter(f -> f.name().endsWith(".gcode"))
            .findFirst()
            .orElseThrow(
                () ->
                    new PrintOrderException(
                        "print-orders:printer.no-gcode",
                        "OctoPrint prints G-code; the job has none (was the order sliced?)"));
    String name = jobId + ".gcode";
    String boundary = "anatwin-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    part(
        body,
        boundary,
        "form-data; name=\"file\"; filename=\"" + name + "\"",
        "application/octet-stream",
        gcode.bytes());
    part(
        body,
        boundary,
        "form-data; name=\"select\"",
        "text/plain",
        "true".getBytes(StandardCharsets.US_ASCII));
    part(
        body,
        boundary,
        "form-data; name=\"print\"",
        "text/plain",
        "true".getBytes(StandardCharsets.US_ASCII));
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(base.resolve("/api/files/local"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    if (r.statusCode() != 201 && r.statusCode() != 200) {
      throw new PrintOrderException(
          "print-orders:printer.refused",
          "OctoPrint refused the upload with HTTP " + r.statusCode() + ": " + clip(r.body()));
    }
    return base.resolve("/api/files/local/" + name).toString();
  }

  @Override
  public Status status(String jobId, String location) {
    HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/api/job")).GET());
    if (r.statusCode() != 200) {
      throw new PrintOrderException(
          "print-orders:printer.unreachable",
          "OctoPrint answered GET /api/job with " + r.statusCode());
    }
    String json = r.body();
    String state = find(STATE, json);
    String file = find(NAME, json);
    String completionText = find(COMPLETION, json);
    double completion =
        completionText == null || completionText.equals("null")
            ? 0
            : Double.parseDouble(completionText);
    if (file == null || !file.equals(jobId + ".gcode")) {
      // the printer is busy with, or has moved on to, another file
      return new Status(State.QUEUED, 0, state);
    }
    String s = state == null ? "" : state.toLowerCase(Locale.ROOT);
    if (s.startsWith("printing")
        || s.startsWith("starting")
        || s.startsWith("paus")
        || s.equals("resuming")) {
      return new Status(State.PRINTING, completion, state);
    }
    if (s.startsWith("cancelling")) {
      return new Status(State.CANCELLED, completion, state);
    }
    if (s.startsWith("error") || s.startsWith("offline")) {
      return new Status(State.FAILED, completion, state);
    }
    if (s.startsWith("operational") || s.startsWith("finishing")) {
      return completion >= 100
          ? new Status(State.DONE, 100, state)
          : new Status(State.CANCELLED, completion, state);
    }
    return new Status(State.QUEUED, completion, state);
  }

  @Override
  public void cancel(String jobId, String location) {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(base.resolve("/api/job"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\": \"cancel\"}")));
    if (r.statusCode() != 204 && r.statusCode() != 200) {
      throw new PrintOrderException(
          "print-orders:printer.refused", "OctoPrint refused to cancel: HTTP " + r.statusCode());
    }
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(
          request.header("X-Api-Key", apiKey).timeout(Duration.ofMinutes(2)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new PrintOrderException(
          "print-orders:printer.unreachable",
          "OctoPrint at " + base + " is unreachable: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PrintOrderException("print-orders:printer.unreachable", "interrupted");
    }
  }

  private static void part(
      ByteArrayOutputStream out, String boundary, String disposition, String type, byte[] bytes) {
    out.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: "
                + disposition
                + "\r\nContent-Type: "
                + type
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(bytes);
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  private static String find(Pattern p, String text) {
    Matcher m = p.matcher(text);
    return m.find() ? m.group(1) : null;
  }

  private static String clip(String s) {
    return s.length() > 200 ? s.substring(0, 200) : s;
  }
}

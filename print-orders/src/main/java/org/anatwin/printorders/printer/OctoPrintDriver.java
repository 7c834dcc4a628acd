package org.anatwin.printorders.printer;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import org.anatwin.printorders.PrintOrderException;
import tools.jackson.databind.JsonNode;

/**
 * OctoPrint's REST API: the job's G-code is uploaded to {@code POST /api/files/local} (multipart,
 * {@code select} and {@code print} true) with the API key in {@code X-Api-Key}; {@code GET
 * /api/job} tells the state and completion of the file being printed; {@code POST /api/job} with
 * {@code {"command": "cancel"}} stops it. The uploaded file is named after the job id, never after
 * a patient.
 */
public final class OctoPrintDriver implements PrinterDriver {
  private final PrinterHttp http;

  public OctoPrintDriver(URI base, String apiKey) {
    this.http = new PrinterHttp("OctoPrint", base, apiKey);
  }

  @Override
  public String submit(String jobId, List<JobFile> files) {
    if (!PrinterHttp.SAFE.matcher(jobId).matches()) {
      throw new IllegalArgumentException("unsafe job id " + jobId);
    }
    JobFile gcode = gcode(files, "OctoPrint");
    String name = jobId + ".gcode";
    http.expect(
        http.send(
            new PrinterHttp.Multipart()
                .file("file", name, gcode.bytes())
                .field("select", "true")
                .field("print", "true")
                .post(http.base().resolve("/api/files/local"))),
        "the upload",
        201,
        200);
    return http.base().resolve("/api/files/local/" + name).toString();
  }

  /** The job's G-code, which a G-code printer needs. */
  static JobFile gcode(List<JobFile> files, String vendor) {
    return files.stream()
        .filter(f -> f.name().endsWith(".gcode"))
        .findFirst()
        .orElseThrow(
            () ->
                new PrintOrderException(
                    "print-orders:printer.no-gcode",
                    vendor + " prints G-code; the job has none (was the order sliced?)"));
  }

  @Override
  public Status status(String jobId, String location) {
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(http.base().resolve("/api/job")).GET());
    if (r.statusCode() != 200) {
      throw new PrintOrderException(
          "print-orders:printer.unreachable",
          "OctoPrint answered GET /api/job with " + r.statusCode());
    }
    JsonNode json = http.json(r);
    String state = json.path("state").asString("");
    String file = json.path("job").path("file").path("name").asString(null);
    JsonNode completionNode = json.path("progress").path("completion");
    double completion = completionNode.isNumber() ? completionNode.asDouble() : 0;
    if (file == null || !file.equals(jobId + ".gcode")) {
      // the printer is busy with, or has moved on to, another file
      return new Status(State.QUEUED, 0, state);
    }
    String s = state.toLowerCase(Locale.ROOT);
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
    http.expect(
        http.send(
            HttpRequest.newBuilder(http.base().resolve("/api/job"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\": \"cancel\"}"))),
        "to cancel",
        204,
        200);
  }
}

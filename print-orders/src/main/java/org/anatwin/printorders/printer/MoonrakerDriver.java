package org.anatwin.printorders.printer;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.anatwin.printorders.PrintOrderException;
import tools.jackson.databind.JsonNode;

/**
 * Moonraker's HTTP API (Klipper printers): the job's G-code is uploaded to {@code POST
 * /server/files/upload} (multipart {@code file}, {@code root=gcodes}, {@code print=true}, so it
 * starts at once) with the API key in {@code X-Api-Key}; {@code GET
 * /printer/objects/query?print_stats&virtual_sdcard} tells the file being printed, its state
 * (standby, printing, paused, complete, cancelled, error) and progress (0-1); {@code POST
 * /printer/print/cancel} stops it. The file is named after the job id, never after a patient.
 */
public final class MoonrakerDriver implements PrinterDriver {
  private final PrinterHttp http;

  public MoonrakerDriver(URI base, String apiKey) {
    this.http = new PrinterHttp("Moonraker", base, apiKey);
  }

  @Override
  public String submit(String jobId, List<JobFile> files) {
    if (!PrinterHttp.SAFE.matcher(jobId).matches()) {
      throw new IllegalArgumentException("unsafe job id " + jobId);
    }
    JobFile gcode = OctoPrintDriver.gcode(files, "Moonraker");
    String name = jobId + ".gcode";
    http.expect(
        http.send(
            new PrinterHttp.Multipart()
                .file("file", name, gcode.bytes())
                .field("root", "gcodes")
                .field("print", "true")
                .post(http.base().resolve("/server/files/upload"))),
        "the upload",
        201,
        200);
    return http.base()
        .resolve("/server/files/gcodes/" + URLEncoder.encode(name, StandardCharsets.UTF_8))
        .toString();
  }

  @Override
  public Status status(String jobId, String location) {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    http.base().resolve("/printer/objects/query?print_stats&virtual_sdcard"))
                .GET());
    if (r.statusCode() != 200) {
      throw new PrintOrderException(
          "print-orders:printer.unreachable",
          "Moonraker answered the status query with " + r.statusCode());
    }
    JsonNode status = http.json(r).path("result").path("status");
    JsonNode stats = status.path("print_stats");
    String file = stats.path("filename").asString("");
    String state = stats.path("state").asString("");
    String message = stats.path("message").asString("");
    double completion = 100 * status.path("virtual_sdcard").path("progress").asDouble(0);
    String detail = message.isEmpty() ? state : state + ": " + message;
    if (!file.equals(jobId + ".gcode")) {
      // another file is loaded: ours has not started yet (or the printer was reset)
      return new Status(State.QUEUED, 0, detail);
    }
    return switch (state.toLowerCase(Locale.ROOT)) {
      case "printing", "paused" -> new Status(State.PRINTING, completion, detail);
      case "complete" -> new Status(State.DONE, 100, detail);
      case "cancelled" -> new Status(State.CANCELLED, completion, detail);
      case "error" -> new Status(State.FAILED, completion, detail);
      default -> new Status(State.QUEUED, completion, detail);
    };
  }

  @Override
  public void cancel(String jobId, String location) {
    http.expect(
        http.send(
            HttpRequest.newBuilder(http.base().resolve("/printer/print/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody())),
        "to cancel",
        200);
  }
}

package org.anatwin.printorders.printer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Pattern;
import org.anatwin.printorders.PrintOrderException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * What the HTTP printer drivers share: one client, the API key header, multipart uploads, JSON
 * answers, and unreachable or refusing printers reported with the module's codes.
 */
final class PrinterHttp {
  /** A job id as it may appear in a file name on a printer. */
  static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,80}");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String vendor;
  private final URI base;
  private final String apiKey;
  private final HttpClient http;

  PrinterHttp(String vendor, URI base, String apiKey) {
    this.vendor = vendor;
    this.base = base;
    this.apiKey = apiKey;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  URI base() {
    return base;
  }

  /** A multipart/form-data body under construction. */
  static final class Multipart {
    private final String boundary = "anatwin-" + UUID.randomUUID();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    Multipart file(String field, String fileName, byte[] bytes) {
      return part(
          "form-data; name=\"" + field + "\"; filename=\"" + fileName + "\"",
          "application/octet-stream",
          bytes);
    }

    Multipart field(String name, String value) {
      return part(
          "form-data; name=\"" + name + "\"", "text/plain", value.getBytes(StandardCharsets.UTF_8));
    }

    private Multipart part(String disposition, String type, byte[] bytes) {
      body.writeBytes(
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: "
                  + disposition
                  + "\r\nContent-Type: "
                  + type
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      body.writeBytes(bytes);
      body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      return this;
    }

    HttpRequest.Builder post(URI uri) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.writeBytes(body.toByteArray());
      all.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
      return HttpRequest.newBuilder(uri)
          .header("Content-Type", "multipart/form-data; boundary=" + boundary)
          .POST(HttpRequest.BodyPublishers.ofByteArray(all.toByteArray()));
    }
  }

  /** Sends the request with the API key; an unreachable printer is a coded failure. */
  HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(
          request.header("X-Api-Key", apiKey).timeout(Duration.ofMinutes(2)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new PrintOrderException(
          "print-orders:printer.unreachable",
          vendor + " at " + base + " is unreachable: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PrintOrderException("print-orders:printer.unreachable", "interrupted");
    }
  }

  /** Refuses with {@code print-orders:printer.refused} unless the status is one of {@code ok}. */
  HttpResponse<String> expect(HttpResponse<String> r, String what, int... ok) {
    for (int status : ok) {
      if (r.statusCode() == status) {
        return r;
      }
    }
    String body = r.body() == null ? "" : r.body();
    throw new PrintOrderException(
        "print-orders:printer.refused",
        vendor
            + " refused "
            + what
            + " with HTTP "
            + r.statusCode()
            + ": "
            + (body.length() > 200 ? body.substring(0, 200) : body));
  }

  /** The answer's JSON; a printer that answers something else is reported as unreachable. */
  JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (RuntimeException e) {
      throw new PrintOrderException(
          "print-orders:printer.unreachable", vendor + " answered with something other than JSON");
    }
  }
}

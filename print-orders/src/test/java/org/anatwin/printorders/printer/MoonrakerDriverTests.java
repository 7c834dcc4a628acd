package org.anatwin.printorders.printer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.anatwin.printorders.PrintOrderException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Moonraker driver against a server that speaks Moonraker's HTTP API as documented: upload with
 * {@code root} and {@code print}, {@code print_stats}/{@code virtual_sdcard} status, cancel, and
 * the API key on every request.
 */
class MoonrakerDriverTests {
  private static final String KEY = "moon-key";
  private HttpServer server;
  private volatile String uploadedName;
  private volatile byte[] uploaded;
  private volatile String root;
  private volatile String print;
  private volatile String filename = "";
  private volatile String state = "standby";
  private volatile String message = "";
  private volatile double progress;
  private volatile int cancels;
  private volatile String lastQuery;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/server/files/upload", this::upload);
    server.createContext("/printer/objects/query", this::query);
    server.createContext("/printer/print/cancel", this::cancel);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Test
  void aJobIsUploadedToStartAtOnceAndFollowedToCompletion() {
    MoonrakerDriver driver = new MoonrakerDriver(url(), KEY);
    byte[] gcode = "G28\nG1 X10\n".getBytes(StandardCharsets.US_ASCII);

    String location =
        driver.submit(
            "print-job-1",
            List.of(
                new PrinterDriver.JobFile("job.3mf", new byte[] {1, 2}),
                new PrinterDriver.JobFile("job.gcode", gcode)));

    assertThat(uploadedName).isEqualTo("print-job-1.gcode");
    assertThat(uploaded).isEqualTo(gcode);
    assertThat(root).isEqualTo("gcodes");
    assertThat(print).isEqualTo("true");
    assertThat(location).endsWith("/server/files/gcodes/print-job-1.gcode");
    // another file still loaded: ours waits
    filename = "someone-else.gcode";
    state = "printing";
    assertThat(driver.status("print-job-1", location).state())
        .isEqualTo(PrinterDriver.State.QUEUED);
    assertThat(lastQuery).contains("print_stats").contains("virtual_sdcard");
    filename = "print-job-1.gcode";
    progress = 0.426;
    PrinterDriver.Status printing = driver.status("print-job-1", location);
    assertThat(printing.state()).isEqualTo(PrinterDriver.State.PRINTING);
    assertThat(printing.completion()).isCloseTo(42.6, org.assertj.core.data.Offset.offset(1e-9));
    state = "paused";
    assertThat(driver.status("print-job-1", location).state())
        .isEqualTo(PrinterDriver.State.PRINTING);
    state = "complete";
    progress = 1;
    assertThat(driver.status("print-job-1", location))
        .isEqualTo(new PrinterDriver.Status(PrinterDriver.State.DONE, 100, "complete"));
  }

  @Test
  void errorsAndCancellationAreReportedWithThePrintersMessage() {
    MoonrakerDriver driver = new MoonrakerDriver(url(), KEY);
    filename = "print-job-2.gcode";
    state = "error";
    message = "MCU 'mcu' shutdown: Timer too close";
    progress = 0.1;
    PrinterDriver.Status failed = driver.status("print-job-2", "x");
    assertThat(failed.state()).isEqualTo(PrinterDriver.State.FAILED);
    assertThat(failed.detail()).contains("Timer too close");
    state = "cancelled";
    assertThat(driver.status("print-job-2", "x").state()).isEqualTo(PrinterDriver.State.CANCELLED);
    driver.cancel("print-job-2", "x");
    assertThat(cancels).isEqualTo(1);
  }

  @Test
  void aWrongKeyOrAnAbsentPrinterIsACodedFailure() {
    MoonrakerDriver wrongKey = new MoonrakerDriver(url(), "nope");
    assertThatThrownBy(
            () ->
                wrongKey.submit(
                    "print-job-3", List.of(new PrinterDriver.JobFile("job.gcode", new byte[1]))))
        .isInstanceOfSatisfying(
            PrintOrderException.class,
            e -> assertThat(e.code()).isEqualTo("print-orders:printer.refused"));
    assertThatThrownBy(
            () ->
                new MoonrakerDriver(url(), KEY)
                    .submit(
                        "print-job-3", List.of(new PrinterDriver.JobFile("job.3mf", new byte[1]))))
        .isInstanceOfSatisfying(
            PrintOrderException.class,
            e -> assertThat(e.code()).isEqualTo("print-orders:printer.no-gcode"));
    server.stop(0);
    assertThatThrownBy(() -> new MoonrakerDriver(url(), KEY).status("print-job-3", "x"))
        .isInstanceOfSatisfying(
            PrintOrderException.class,
            e -> assertThat(e.code()).isEqualTo("print-orders:printer.unreachable"));
  }

  private boolean authorised(HttpExchange x) throws IOException {
    if (!KEY.equals(x.getRequestHeaders().getFirst("X-Api-Key"))) {
      byte[] body =
          "{\"error\":{\"code\":401,\"message\":\"Unauthorized\"}}"
              .getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(401, body.length);
      x.getResponseBody().write(body);
      x.close();
      return false;
    }
    return true;
  }

  private void upload(HttpExchange x) throws IOException {
    if (!authorised(x)) {
      return;
    }
    String type = x.getRequestHeaders().getFirst("Content-Type");
    String boundary = type.substring(type.indexOf("boundary=") + 9);
    String text = new String(x.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1);
    for (String part : text.split("--" + java.util.regex.Pattern.quote(boundary))) {
      int split = part.indexOf("\r\n\r\n");
      if (split < 0) {
        continue;
      }
      String head = part.substring(0, split);
      String value = part.substring(split + 4, part.length() - 2);
      if (head.contains("name=\"file\"")) {
        uploadedName = head.replaceAll("(?s).*filename=\"([^\"]+)\".*", "$1");
        uploaded = value.getBytes(StandardCharsets.ISO_8859_1);
      } else if (head.contains("name=\"root\"")) {
        root = value;
      } else if (head.contains("name=\"print\"")) {
        print = value;
      }
    }
    answer(
        x,
        201,
        "{\"result\":{\"item\":{\"path\":\""
            + uploadedName
            + "\",\"root\":\"gcodes\"},\"print_started\":true,\"action\":\"create_file\"}}");
  }

  private void query(HttpExchange x) throws IOException {
    if (!authorised(x)) {
      return;
    }
    lastQuery = x.getRequestURI().getRawQuery();
    answer(
        x,
        200,
        "{\"result\":{\"eventtime\":578243.57,\"status\":{\"print_stats\":{\"filename\":\""
            + filename
            + "\",\"state\":\""
            + state
            + "\",\"message\":\""
            + message
            + "\",\"print_duration\":0.0},\"virtual_sdcard\":{\"progress\":"
            + progress
            + ",\"is_active\":false,\"file_position\":0}}}}");
  }

  private void cancel(HttpExchange x) throws IOException {
    if (!authorised(x) || !x.getRequestMethod().equals("POST")) {
      return;
    }
    cancels++;
    answer(x, 200, "{\"result\":\"ok\"}");
  }

  private static void answer(HttpExchange x, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(status, body.length);
    x.getResponseBody().write(body);
    x.close();
  }
}

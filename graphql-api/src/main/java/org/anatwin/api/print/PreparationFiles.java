package org.anatwin.api.print;

import java.util.List;
import java.util.Map;
import org.anatwin.model.ContentHash;
import org.anatwin.printorders.PrintOrders;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /files/preparations/{order}/plate.stl | job.gcode | job.3mf}: an order's prepared
 * plate, G-code and 3MF package as stored (bed coordinates; no patient data; ETag = content hash).
 */
@RestController
class PreparationFiles {
  private static final Map<String, String> FILES =
      Map.of(
          "plate.stl", "plateSha256",
          "job.gcode", "gcodeSha256",
          "job.3mf", "threeMfSha256");
  private static final Map<String, String> TYPES =
      Map.of(
          "plate.stl", "model/stl",
          "job.gcode", "text/x.gcode",
          "job.3mf", "model/3mf");

  private final PrintOrders orders;

  PreparationFiles(PrintOrders orders) {
    this.orders = orders;
  }

  @GetMapping("/files/preparations/{order}/{file}")
  ResponseEntity<byte[]> file(@PathVariable String order, @PathVariable String file) {
    String field = FILES.get(file);
    Map<String, Object> p = orders.preparations(List.of(order)).get(order);
    if (field == null || p == null || !(p.get(field) instanceof String sha)) {
      return ResponseEntity.notFound().build();
    }
    byte[] bytes = orders.file(ContentHash.parse(sha));
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType(TYPES.get(file)))
        .eTag("\"" + sha + "\"")
        .cacheControl(CacheControl.noCache().cachePrivate())
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            ContentDisposition.attachment().filename(order + "-" + file).build().toString())
        .body(bytes);
  }
}

package org.anatwin.api.print;

import java.util.List;
import org.anatwin.model.ContentHash;
import org.anatwin.printorders.ArtefactQa;
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
 * {@code GET /files/artefacts/{artefact}/qa.ply}: the QA colour map of a printed copy (its scan in
 * the design's frame, per-vertex distance in mm and colour; no patient data; ETag = content hash).
 */
@RestController
class ArtefactFiles {
  private final PrintOrders orders;

  ArtefactFiles(PrintOrders orders) {
    this.orders = orders;
  }

  @GetMapping("/files/artefacts/{artefact}/qa.ply")
  ResponseEntity<byte[]> colourMap(@PathVariable String artefact) {
    ArtefactQa qa = orders.qaOf(List.of(artefact)).get(artefact);
    if (qa == null) {
      return ResponseEntity.notFound().build();
    }
    String sha = qa.colourMapSha256();
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType("application/x-ply"))
        .eTag("\"" + sha + "\"")
        .cacheControl(CacheControl.noCache().cachePrivate())
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            ContentDisposition.attachment().filename(artefact + "-qa.ply").build().toString())
        .body(orders.file(ContentHash.parse(sha)));
  }
}

package org.anatwin.api.twins;

import org.anatwin.api.Ids;
import org.anatwin.model.ContentHash;
import org.anatwin.model.TwinVersionId;
import org.anatwin.modeling.Modeling;
import org.anatwin.versioning.Twins;
import org.anatwin.versioning.VersioningException;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /files/diffs/{version}/{against}/{structure}.ply}: a structure's difference between
 * two versions as a binary PLY (the version's mesh in the other's frame, a signed distance and a
 * colour per vertex, full colour at 2 mm). Recomputed on request: the same versions give the same
 * bytes. No patient data in it or its name.
 */
@RestController
class DiffFiles {
  private static final double COLOUR_RANGE_MM = 2.0;

  private final Twins twins;

  DiffFiles(Twins twins) {
    this.twins = twins;
  }

  @GetMapping("/files/diffs/{version}/{against}/{structure}.ply")
  ResponseEntity<byte[]> diff(
      @PathVariable String version, @PathVariable String against, @PathVariable String structure) {
    var from = Ids.tryParse(version, TwinVersionId::parse);
    var to = Ids.tryParse(against, TwinVersionId::parse);
    if (from.isEmpty() || to.isEmpty()) {
      return ResponseEntity.notFound().build();
    }
    try {
      return twins.diff(from.get(), to.get()).stream()
          .filter(d -> d.structure().equals(structure))
          .findFirst()
          .map(
              d -> {
                byte[] bytes = Modeling.toDiffPly(d.mesh(), d.diff().distances(), COLOUR_RANGE_MM);
                return ResponseEntity.ok()
                    .contentType(MediaType.parseMediaType("application/ply"))
                    .eTag("\"" + ContentHash.of(bytes).hex() + "\"")
                    .cacheControl(CacheControl.noCache().cachePrivate())
                    .header(
                        HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment()
                            .filename(
                                "diff-" + from.get().value() + "-" + to.get().value() + ".ply")
                            .build()
                            .toString())
                    .body(bytes);
              })
          .orElse(ResponseEntity.notFound().build());
    } catch (VersioningException e) {
      return ResponseEntity.notFound().build();
    }
  }
}

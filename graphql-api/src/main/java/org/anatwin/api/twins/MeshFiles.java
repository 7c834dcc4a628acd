package org.anatwin.api.twins;

import org.anatwin.api.Ids;
import org.anatwin.model.MeshId;
import org.anatwin.versioning.MeshInfo;
import org.anatwin.versioning.Twins;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /files/meshes/{id}.stl}: the mesh as binary STL. The file name is the mesh id (never
 * patient data) and the ETag is the content hash, so clients can cache and verify.
 */
@RestController
class MeshFiles {
  private final Twins twins;

  MeshFiles(Twins twins) {
    this.twins = twins;
  }

  @GetMapping("/files/meshes/{id}.stl")
  ResponseEntity<byte[]> stl(
      @PathVariable String id,
      @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
    MeshInfo mesh = Ids.tryParse(id, MeshId::parse).flatMap(twins::mesh).orElse(null);
    if (mesh == null) {
      return ResponseEntity.notFound().build();
    }
    String etag = "\"" + mesh.sha256().hex() + "\"";
    if (etag.equals(ifNoneMatch)) {
      return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
    }
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType("model/stl"))
        .eTag(etag)
        .cacheControl(CacheControl.noCache().cachePrivate())
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            ContentDisposition.attachment().filename(mesh.id().value() + ".stl").build().toString())
        .body(twins.stl(mesh));
  }
}

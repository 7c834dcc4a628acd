package org.anatwin.api.twins;

import java.util.Optional;
import org.anatwin.api.CurrentActor;
import org.anatwin.api.Ids;
import org.anatwin.model.ContentHash;
import org.anatwin.model.MeshId;
import org.anatwin.versioning.MeshFormat;
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
 * {@code GET /files/meshes/{id}.{stl|obj|ply|3mf}}: the mesh as a file. The file name is the mesh
 * id (never patient data) and the ETag is the hash of the bytes sent, so clients can cache and
 * verify; for STL that is the stored mesh's sha256.
 */
@RestController
class MeshFiles {
  private final Twins twins;

  MeshFiles(Twins twins) {
    this.twins = twins;
  }

  @GetMapping("/files/meshes/{file}")
  ResponseEntity<byte[]> file(
      @PathVariable String file,
      @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
    var split = MeshFormat.split(file);
    Optional<MeshFormat> format = split.map(java.util.Map.Entry::getValue);
    if (format.isPresent() && format.get().carriesPatientData() && !CurrentActor.seesPhi()) {
      // a DICOM object names the patient: only for those who see patient identity (refused
      // before the lookup, so the answer says nothing about whether the mesh exists)
      return ResponseEntity.status(HttpStatus.FORBIDDEN).build();
    }
    MeshInfo mesh =
        split
            .flatMap(s -> Ids.tryParse(s.getKey(), MeshId::parse))
            .flatMap(twins::mesh)
            .orElse(null);
    if (mesh == null || format.isEmpty()) {
      return ResponseEntity.notFound().build();
    }
    byte[] bytes = twins.meshFile(mesh, format.get());
    String etag = "\"" + ContentHash.of(bytes).hex() + "\"";
    if (etag.equals(ifNoneMatch)) {
      return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
    }
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType(format.get().mediaType()))
        .eTag(etag)
        .cacheControl(CacheControl.noCache().cachePrivate())
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            ContentDisposition.attachment()
                .filename(mesh.id().value() + "." + format.get().extension())
                .build()
                .toString())
        .body(bytes);
  }
}

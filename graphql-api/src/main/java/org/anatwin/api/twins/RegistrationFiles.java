package org.anatwin.api.twins;

import org.anatwin.api.CurrentActor;
import org.anatwin.api.Ids;
import org.anatwin.model.ContentHash;
import org.anatwin.model.TwinVersionId;
import org.anatwin.versioning.Twins;
import org.anatwin.versioning.VersioningException;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /files/registrations/{version}/{structure}.dcm}: a version's registration of a
 * structure onto its parent as a DICOM Spatial Registration object. It names the patient, so
 * designers (who see pseudonyms only) get 403.
 */
@RestController
class RegistrationFiles {
  private final Twins twins;

  RegistrationFiles(Twins twins) {
    this.twins = twins;
  }

  @GetMapping("/files/registrations/{version}/{structure}.dcm")
  ResponseEntity<byte[]> registration(
      @PathVariable String version, @PathVariable String structure) {
    if (!CurrentActor.seesPhi()) {
      // a DICOM object names the patient
      return ResponseEntity.status(HttpStatus.FORBIDDEN).build();
    }
    var found = Ids.tryParse(version, TwinVersionId::parse).flatMap(twins::version);
    if (found.isEmpty()) {
      return ResponseEntity.notFound().build();
    }
    try {
      byte[] bytes = twins.registrationFile(found.get(), structure);
      return ResponseEntity.ok()
          .contentType(MediaType.parseMediaType("application/dicom"))
          .eTag("\"" + ContentHash.of(bytes).hex() + "\"")
          .cacheControl(CacheControl.noCache().cachePrivate())
          .header(
              HttpHeaders.CONTENT_DISPOSITION,
              ContentDisposition.attachment()
                  .filename("registration-" + found.get().id().value() + ".dcm")
                  .build()
                  .toString())
          .body(bytes);
    } catch (VersioningException e) {
      return ResponseEntity.notFound().build();
    }
  }
}

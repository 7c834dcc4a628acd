package org.anatwin.api.dicom;

import java.nio.file.Path;
import java.util.Map;
import org.anatwin.api.CurrentActor;
import org.anatwin.ingest.ImportReport;
import org.anatwin.ingest.Ingest;
import org.anatwin.ingest.IngestException;
import org.anatwin.model.AnatwinException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/import {"path": "/folder"}}: the REST trigger of a folder import, for admins and
 * the CLI.
 */
@RestController
class ImportEndpoint {
  private final Ingest ingest;

  ImportEndpoint(Ingest ingest) {
    this.ingest = ingest;
  }

  record ImportRequest(String path) {}

  @PostMapping("/api/import")
  ImportReport importFolder(@RequestBody ImportRequest request) {
    if (request.path() == null || request.path().isBlank()) {
      throw new IngestException(
          "ingest:import.path", "the request names no folder: {\"path\": ...}");
    }
    return ingest.importFolder(Path.of(request.path()), CurrentActor.get());
  }

  /** A refused import: 400 (404 for what does not exist) with the stable code, no stack trace. */
  @ExceptionHandler(AnatwinException.class)
  ResponseEntity<Map<String, String>> refused(AnatwinException e) {
    HttpStatus status =
        e.code().endsWith(".unknown") || e.code().endsWith(".missing")
            ? HttpStatus.NOT_FOUND
            : HttpStatus.BAD_REQUEST;
    return ResponseEntity.status(status).body(Map.of("code", e.code(), "message", e.getMessage()));
  }
}

package org.anatwin.api.dicom;

import java.nio.file.Path;
import org.anatwin.api.CurrentActor;
import org.anatwin.ingest.ImportReport;
import org.anatwin.ingest.Ingest;
import org.springframework.security.access.prepost.PreAuthorize;
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
  @PreAuthorize("hasRole('admin')")
  ImportReport importFolder(@RequestBody ImportRequest request) {
    return ingest.importFolder(Path.of(request.path()), CurrentActor.get());
  }
}

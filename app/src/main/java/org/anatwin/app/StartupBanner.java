package org.anatwin.app;

import org.anatwin.ingest.DicomListener;
import org.anatwin.storage.Storage;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/** Prints where the service listens and how to get a token, once it is ready. */
@Component
class StartupBanner implements ApplicationListener<ApplicationReadyEvent> {
  private final AnatwinProperties properties;
  private final Storage storage;
  private final DicomListener dicom;

  StartupBanner(AnatwinProperties properties, Storage storage, DicomListener dicom) {
    this.properties = properties;
    this.storage = storage;
    this.dicom = dicom;
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    int port =
        event.getApplicationContext() instanceof WebServerApplicationContext web
            ? web.getWebServer().getPort()
            : -1;
    String base = "http://127.0.0.1:" + port;
    System.out.println(
        """

        Anatwin is ready.
          Viewer    %s/   (sign in as demo-planner / demo-planner-secret; each role: demo-<role>)
          GraphQL   %s/graphql
          GraphiQL  %s/graphiql   (add the header  Authorization: Bearer <token>)
          DICOM     AE title %s at %s:%d   (C-STORE, C-ECHO; e.g. TCP_NODELAY=1 storescu -aec %s %s %d FILES)
          Token     ./anatwin token planner   (roles: planner designer radiologist technician quality admin)
          Data      %s
          Graph     %s
        """
            .formatted(
                base,
                base,
                base,
                dicom.aeTitle(),
                dicom.host(),
                dicom.port(),
                dicom.aeTitle(),
                dicom.host(),
                dicom.port(),
                properties.dataHome(),
                storage.describeGraph()));
  }
}

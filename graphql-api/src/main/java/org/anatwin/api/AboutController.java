package org.anatwin.api;

import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

@Controller
class AboutController {
  record About(String name, String version, String graph) {}

  private final org.anatwin.storage.Storage storage;

  AboutController(org.anatwin.storage.Storage storage) {
    this.storage = storage;
  }

  @QueryMapping
  About about() {
    String version = AboutController.class.getPackage().getImplementationVersion();
    return new About("Anatwin", version == null ? "development" : version, storage.describeGraph());
  }
}

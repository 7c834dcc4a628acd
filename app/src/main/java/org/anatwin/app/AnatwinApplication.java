package org.anatwin.app;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Starts the Anatwin service. */
@SpringBootApplication(
    scanBasePackages = {"org.anatwin.app", "org.anatwin.api", "org.anatwin.ingest.dicomweb"})
@EnableConfigurationProperties({
  AnatwinProperties.class,
  PrintingProperties.class,
  SegmentationProperties.class
})
public class AnatwinApplication {
  public static void main(String[] args) {
    SpringApplication.run(AnatwinApplication.class, args);
  }
}

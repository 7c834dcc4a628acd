package org.anatwin.app;

import java.time.Duration;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Building a twin version (meshing, QA, registration of a whole skull) can take minutes on two
 * cores. GraphQL over HTTP answers asynchronously, and the functional web layer falls back to the
 * servlet container's async timeout (Spring Framework issue 37257), which is 30 s in Tomcat: past
 * it the client got a 503 while the build went on. The container's limit is raised here.
 */
@Configuration
class WebConfiguration {
  static final Duration ASYNC_TIMEOUT = Duration.ofMinutes(10);

  @Bean
  TomcatConnectorCustomizer asyncTimeout() {
    return connector -> connector.setAsyncTimeout(ASYNC_TIMEOUT.toMillis());
  }
}

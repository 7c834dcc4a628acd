package org.anatwin.app;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code anatwin.printing.*}: CuraEngine and Cura's resources folder, how often
 * printers are asked about open jobs, and the printers beside the built-in simulated one ({@code
 * anatwin.printing.printers.<id>.driver = octoprint | moonraker | folder}, {@code .url}, {@code
 * .api-key}, {@code .name}, bed size in mm, Cura definitions).
 */
@ConfigurationProperties("anatwin.printing")
public record PrintingProperties(
    @Nullable String curaEngine,
    @Nullable String curaResources,
    @Nullable Duration pollInterval,
    @Nullable Map<String, PrinterSetting> printers) {
  public PrintingProperties {
    curaEngine = curaEngine == null || curaEngine.isBlank() ? "CuraEngine" : curaEngine;
    curaResources =
        curaResources == null || curaResources.isBlank()
            ? "/usr/share/cura/resources"
            : curaResources;
    pollInterval = pollInterval == null ? Duration.ofSeconds(5) : pollInterval;
    printers = printers == null ? Map.of() : Map.copyOf(printers);
  }

  /** One configured printer. */
  public record PrinterSetting(
      @Nullable String name,
      @Nullable String driver,
      @Nullable URI url,
      @Nullable String apiKey,
      double bedWidth,
      double bedDepth,
      double bedHeight,
      @Nullable String curaDefinition,
      @Nullable String curaExtruder,
      @Nullable String technology,
      java.nio.file.@Nullable Path folder,
      @Nullable String format,
      @Nullable List<String> materials) {}
}

package org.anatwin.app;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings under {@code anatwin.segmentation.*}: ONNX Runtime's threads per inference ({@code
 * threads}, default 2, fixed so results never depend on load), and the automatic run on ingest:
 * {@code auto.enabled}, {@code auto.stable-age} (a series counts as complete when no instance of it
 * arrived for this long; Orthanc's "stable age" idea, default 60 s) and {@code auto.rules}, each a
 * {@code modality}, an optional {@code body-part} (Body Part Examined; unset matches any) and the
 * {@code model} (name@version) to run. The first matching rule wins.
 */
@ConfigurationProperties("anatwin.segmentation")
public record SegmentationProperties(int threads, Auto auto) {
  public SegmentationProperties {
    threads = threads <= 0 ? 2 : threads;
    auto = auto == null ? new Auto(false, null, null) : auto;
  }

  public record Auto(boolean enabled, @Nullable Duration stableAge, @Nullable List<Rule> rules) {
    public Auto {
      stableAge = stableAge == null ? Duration.ofSeconds(60) : stableAge;
      rules = rules == null ? List.of() : List.copyOf(rules);
    }
  }

  public record Rule(String modality, @Nullable String bodyPart, String model) {
    boolean matches(String seriesModality, String seriesBodyPart) {
      return modality.equalsIgnoreCase(seriesModality)
          && (bodyPart == null || bodyPart.isBlank() || bodyPart.equalsIgnoreCase(seriesBodyPart));
    }
  }
}

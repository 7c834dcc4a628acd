package org.anatwin.api.twins;

import java.util.List;
import java.util.Map;
import org.anatwin.api.CurrentActor;
import org.anatwin.ingest.Ingest;
import org.anatwin.ingest.IngestException;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.versioning.RegisteredModel;
import org.anatwin.versioning.SegmentationModels;
import org.anatwin.versioning.Twins;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/** The model registry and a model's proposal of a version. */
@Controller
class ModelController {
  private final SegmentationModels models;
  private final Twins twins;
  private final Ingest ingest;

  ModelController(SegmentationModels models, Twins twins, Ingest ingest) {
    this.models = models;
    this.twins = twins;
    this.ingest = ingest;
  }

  @QueryMapping
  List<RegisteredModel> segmentationModels() {
    return models.all();
  }

  /**
   * Runs the model on the series (its modality and body part as stored) and stores the proposal.
   */
  @MutationMapping
  TwinController.VersionView proposeTwinVersion(
      @Argument String seriesUid, @Argument String model) {
    RegisteredModel registered = models.require(model);
    Map<String, Object> series =
        ingest
            .series(seriesUid)
            .orElseThrow(
                () ->
                    new IngestException(
                        "ingest:series.unknown", "no stored series has UID " + seriesUid));
    return TwinController.VersionView.from(
        twins.proposeVersion(
            SeriesInstanceUid.of(seriesUid),
            registered,
            models.open(registered),
            text(series.get("modality")),
            text(series.get("bodyPart")),
            CurrentActor.get()));
  }

  static String text(Object value) {
    return value == null ? "" : value.toString();
  }
}

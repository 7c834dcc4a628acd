package org.anatwin.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.anatwin.ingest.internal.DicomInstance;
import org.anatwin.ingest.internal.SeriesAssembler;
import org.anatwin.ingest.persistence.DicomRepository;
import org.anatwin.model.ContentHash;
import org.anatwin.model.Derivation;
import org.anatwin.model.SeriesInstanceUid;
import org.anatwin.model.SopInstanceUid;
import org.anatwin.model.SourceInstance;
import org.anatwin.model.Volume;
import org.anatwin.storage.Storage;

/**
 * Re-runs ingest's recorded activities: a received instance is read back from its blob and both its
 * file hash and its dataset hash recomputed; a series is assembled into a volume again from those
 * bytes, by the same assembler ingest uses.
 */
public final class IngestDerivation implements Derivation {
  private final Storage storage;

  public IngestDerivation(Storage storage) {
    this.storage = storage;
  }

  @Override
  public boolean reruns(String algorithm, String version) {
    return (algorithm.equals(DicomRepository.RECEIVE) && version.equals("1"))
        || (algorithm.equals(SeriesAssembler.ALGORITHM) && version.equals(SeriesAssembler.VERSION));
  }

  @Override
  public Map<String, Output> rerun(Recorded activity, Inputs inputs) {
    String generated = activity.generated().getFirst();
    if (activity.algorithm().equals(DicomRepository.RECEIVE)) {
      String file = inputs.properties(generated).get("sha256");
      if (file == null) {
        throw new IngestException(
            "ingest:derivation.input", "instance " + generated + " records no blob hash");
      }
      byte[] bytes = storage.blobs().get(ContentHash.parse(file));
      ContentHash dataset = DicomInstance.datasetHash(bytes);
      SourceInstance source =
          new SourceInstance(
              SopInstanceUid.of(inputs.properties(generated).get("sopInstanceUid")), dataset);
      return Map.of(
          generated,
          new Output(
              Map.of("sha256", ContentHash.of(bytes).hex(), "datasetSha256", dataset.hex()),
              new SeriesAssembler.Slice(source, bytes)));
    }
    List<SeriesAssembler.Slice> slices = new ArrayList<>();
    for (String used : activity.used()) {
      if (!(inputs.value(used) instanceof SeriesAssembler.Slice slice)) {
        throw new IngestException(
            "ingest:derivation.input", "instance " + used + " was not read back before assembly");
      }
      slices.add(slice);
    }
    Volume volume =
        Ingest.ASSEMBLER.assemble(SeriesInstanceUid.of(activity.parameter("series")), slices);
    return Map.of(generated, new Output(Map.of("sha256", volume.contentHash().hex()), volume));
  }
}

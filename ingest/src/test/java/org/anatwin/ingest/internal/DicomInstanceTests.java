package org.anatwin.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.anatwin.ingest.IngestException;
import org.junit.jupiter.api.Test;

class DicomInstanceTests {
  @Test
  void readsTheIndexedAttributes() {
    DicomInstance d = DicomInstance.parse(Slices.slice(0, 0, 0, 0, "TEST"));
    assertThat(d.sopInstanceUid().value()).isEqualTo("1.2.826.0.1.3680043.10.1.1");
    assertThat(d.seriesInstanceUid().value()).isEqualTo("1.2.826.0.1.3680043.10.3");
    assertThat(d.patientId()).isEqualTo("P1");
    assertThat(d.modality()).isEqualTo("CT");
  }

  @Test
  void theDatasetHashIgnoresARewrittenFileMetaHeader() {
    byte[] a = Slices.slice(0, 0, 0, 0, "SCANNER");
    byte[] b = Slices.slice(0, 0, 0, 0, "ANOTHER_PACS_AE");
    DicomInstance first = DicomInstance.parse(a);
    DicomInstance second = DicomInstance.parse(b);
    assertThat(first.fileHash()).isNotEqualTo(second.fileHash());
    assertThat(first.datasetHash()).isEqualTo(second.datasetHash());
    assertThat(DicomInstance.parse(Slices.slice(1, 0, 0, 0, "SCANNER")).datasetHash())
        .isNotEqualTo(first.datasetHash());
  }

  @Test
  void refusesFilesThatAreNotDicom() {
    assertThatThrownBy(
            () ->
                DicomInstance.parse(
                    "just some text, not an image".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            IngestException.class, e -> assertThat(e.code()).startsWith("ingest:"));
  }
}

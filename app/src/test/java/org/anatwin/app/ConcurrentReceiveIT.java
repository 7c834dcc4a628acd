package org.anatwin.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.anatwin.ingest.Ingest;
import org.anatwin.model.Actor;
import org.anatwin.model.ContentHash;
import org.anatwin.storage.Storage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Ten senders of one instance at once: one Instance node, one blob, nine duplicates. */
class ConcurrentReceiveIT extends ServiceIT {
  @Autowired Ingest ingest;
  @Autowired Storage storage;

  /** A phantom slice under a fresh SOP Instance UID, so the test does not depend on others. */
  private static byte[] freshSlice() throws Exception {
    Path phantom = tempDir("anatwin-it-concurrent");
    Ingest.writePhantom(phantom);
    Path file;
    try (var files = Files.list(phantom.resolve("femur"))) {
      file = files.sorted().findFirst().orElseThrow();
    }
    AttributeList list = new AttributeList();
    list.read(file.toFile());
    String uid =
        "2.25."
            + new BigInteger(1, UUID.randomUUID().toString().replace("-", "").getBytes())
                .mod(BigInteger.TEN.pow(30));
    list.get(TagFromName.SOPInstanceUID).setValue(uid);
    list.remove(TagFromName.MediaStorageSOPInstanceUID);
    FileMetaInformation.addFileMetaInformation(
        list, TransferSyntax.ExplicitVRLittleEndian, "ANATWIN");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
    return out.toByteArray();
  }

  @Test
  void tenConcurrentSendsOfOneInstanceStoreItOnce() throws Exception {
    byte[] bytes = freshSlice();
    List<Callable<Ingest.Receipt>> senders = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Actor sender = Actor.dicomSender("SENDER" + i);
      senders.add(() -> ingest.receive(bytes, sender, "test"));
    }
    List<Ingest.Stored> outcomes = new ArrayList<>();
    String uid = null;
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Future<Ingest.Receipt> result : pool.invokeAll(senders)) {
        outcomes.add(result.get().outcome());
        uid = result.get().sopInstanceUid();
      }
    }
    assertThat(outcomes).containsOnlyOnce(Ingest.Stored.NEW);
    assertThat(outcomes).filteredOn(o -> o == Ingest.Stored.DUPLICATE).hasSize(9);
    String sop = uid;
    long nodes =
        storage
            .graph()
            .read(
                tx ->
                    tx.run(
                            "MATCH (i:Instance {sopInstanceUid: $u}) RETURN count(i)",
                            Map.of("u", sop))
                        .single()
                        .get(0)
                        .asLong());
    assertThat(nodes).isEqualTo(1);
    String hex = ContentHash.of(bytes).hex();
    assertThat(
            HOME.resolve("blobs/sha256")
                .resolve(hex.substring(0, 2))
                .resolve(hex.substring(2, 4))
                .resolve(hex))
        .exists();
    try (var temp = Files.list(HOME.resolve("blobs/tmp"))) {
      assertThat(temp.toList()).as("partial files").isEmpty();
    }
  }
}

package org.anatwin.ingest;

import com.pixelmed.dicom.SetOfDicomFiles;
import com.pixelmed.network.MultipleInstanceTransferStatusHandler;
import com.pixelmed.network.StorageSOPClassSCU;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.anatwin.storage.BlobStore;

/**
 * The C-STORE SCU: sends stored instances to a remote AE in one association. Each blob is read (and
 * so checked against its hash) into a temporary file with a random name for PixelMed's sender, and
 * the files are removed afterwards.
 */
final class DicomSender {
  private DicomSender() {}

  /** How the transfer went, as the remote answered. */
  record Counts(int completed, int failed, int warnings) {}

  static Counts send(
      BlobStore blobs,
      List<org.anatwin.model.ContentHash> instances,
      Ingest.RemoteAe remote,
      String callingAeTitle,
      Path spool) {
    Path folder = null;
    try {
      folder = Files.createTempDirectory(Files.createDirectories(spool), "send-");
      SetOfDicomFiles files = new SetOfDicomFiles();
      int n = 0;
      for (org.anatwin.model.ContentHash hash : instances) {
        Path file = folder.resolve("instance-" + (n++) + ".dcm");
        Files.write(file, blobs.get(hash));
        files.add(file.toFile());
      }
      int[] last = new int[3];
      new StorageSOPClassSCU(
          remote.host(),
          remote.port(),
          remote.aeTitle(),
          callingAeTitle,
          files,
          0,
          new MultipleInstanceTransferStatusHandler() {
            @Override
            public void updateStatus(
                int remaining, int completed, int failed, int warning, String sopInstanceUid) {
              last[0] = completed;
              last[1] = failed;
              last[2] = warning;
            }
          });
      // PixelMed's sender reports trouble through the counts, not by throwing
      if (last[0] + last[2] == 0) {
        throw new IngestException(
            "ingest:send.failed",
            "the remote AE "
                + remote.aeTitle()
                + " at "
                + remote.host()
                + ":"
                + remote.port()
                + " accepted none of "
                + instances.size()
                + " instances (unreachable, or it refused the association)");
      }
      return new Counts(last[0], instances.size() - last[0] - last[2], last[2]);
    } catch (IOException e) {
      throw new IngestException(
          "ingest:send.failed",
          "sending to "
              + remote.aeTitle()
              + " at "
              + remote.host()
              + ":"
              + remote.port()
              + " failed: "
              + e.getMessage(),
          e);
    } finally {
      if (folder != null) {
        try (Stream<Path> walk = Files.walk(folder)) {
          for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        } catch (IOException ignored) {
          // a leftover temporary folder holds copies of stored blobs only
        }
      }
    }
  }
}

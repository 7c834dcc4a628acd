package org.anatwin.ingest;

import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.StoredFilePathStrategy;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationStatusHandler;
import com.pixelmed.network.ReceivedObjectHandler;
import com.pixelmed.network.StorageSOPClassSCP;
import com.pixelmed.network.UnencapsulatedExplicitStorePresentationContextSelectionPolicy;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.anatwin.ingest.internal.DicomInstance;
import org.anatwin.model.Actor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The C-STORE and C-ECHO SCP. Binds its own server socket (loopback by default, not PixelMed's
 * dispatcher, which binds every interface), turns on {@code TCP_NODELAY} and runs each association
 * on a virtual thread with PixelMed's {@link StorageSOPClassSCP}. PixelMed spools each received
 * object to a file with a random name (never a name made from a DICOM value); the handler stores it
 * through {@link Ingest} — blob made durable, graph committed — before PixelMed sends the C-STORE
 * response, and deletes the spool file. A refused object fails the handler, so the sender gets no
 * success for it (PixelMed then aborts the association), and is audited as a failure with its code.
 */
public final class DicomListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DicomListener.class);

  /** Where and as whom to listen; port 0 picks a free port. */
  public record Settings(
      String aeTitle, String bindAddress, int port, int maxPduLength, Path spool) {
    public Settings {
      if (aeTitle.isBlank() || aeTitle.length() > 16) {
        throw new IngestException(
            "ingest:scp.ae-title", "an AE title has 1 to 16 characters: '" + aeTitle + "'");
      }
    }
  }

  private final Ingest ingest;
  private final Settings settings;
  private final ServerSocket server;
  private final Thread acceptor;
  private final StoredFilePathStrategy randomNames;

  DicomListener(Ingest ingest, Settings settings) {
    this.ingest = ingest;
    this.settings = settings;
    try {
      Files.createDirectories(settings.spool());
      this.server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(
          new InetSocketAddress(InetAddress.getByName(settings.bindAddress()), settings.port()),
          64);
    } catch (IOException e) {
      throw new IngestException(
          "ingest:scp.bind",
          "cannot listen on "
              + settings.bindAddress()
              + ":"
              + settings.port()
              + ": "
              + e.getMessage(),
          e);
    }
    this.randomNames = new RandomSpoolNames(settings.spool());
    this.acceptor = Thread.ofPlatform().name("dicom-scp-accept").daemon().start(this::accept);
  }

  /** The port the SCP listens on. */
  public int port() {
    return server.getLocalPort();
  }

  public String aeTitle() {
    return settings.aeTitle();
  }

  public String host() {
    return settings.bindAddress();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true);
        Thread.ofVirtual().name("dicom-association").start(() -> serve(socket));
      } catch (IOException e) {
        if (!server.isClosed()) {
          log.warn("accepting a DICOM connection failed: {}", e.getMessage());
        }
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      Counter counter = new Counter();
      new StorageSOPClassSCP(
              socket,
              settings.aeTitle(),
              settings.maxPduLength(),
              0,
              0,
              settings.spool().toFile(),
              randomNames,
              new Handler(counter),
              counter,
              null,
              null,
              null,
              new UnencapsulatedExplicitStorePresentationContextSelectionPolicy())
          .run();
    } catch (IOException
        | DicomException
        | com.pixelmed.network.DicomNetworkException
        | RuntimeException e) {
      log.warn(
          "DICOM association from {} ended with an error: {}",
          socket.getRemoteSocketAddress(),
          e.getMessage());
    }
  }

  /** Stores each received object before PixelMed answers the C-STORE. */
  private final class Handler extends ReceivedObjectHandler {
    private final Counter counter;

    Handler(Counter counter) {
      this.counter = counter;
    }

    @Override
    public void sendReceivedObjectIndication(
        String fileName, String transferSyntax, String callingAeTitle)
        throws DicomException, IOException {
      Path file = Path.of(fileName);
      try {
        byte[] bytes = Files.readAllBytes(file);
        Actor sender = Actor.dicomSender(callingAeTitle);
        counter.sender = sender;
        switch (ingest.store(
            DicomInstance.parse(bytes), bytes, sender, "C-STORE from " + sender.userName())) {
          case NEW -> counter.stored++;
          case DUPLICATE -> counter.duplicates++;
        }
      } catch (IngestException e) {
        ingest.auditRefusal(Actor.dicomSender(callingAeTitle), "dicom.c-store", e);
        log.warn("refused an object from {}: {} {}", callingAeTitle, e.code(), e.getMessage());
        throw new DicomException(e.code() + ": " + e.getMessage());
      } finally {
        Files.deleteIfExists(file);
      }
    }
  }

  /** Counts what one association did; audited when it is released. */
  private final class Counter extends AssociationStatusHandler {
    Actor sender = Actor.dicomSender("unknown");
    int stored;
    int duplicates;

    @Override
    public void sendAssociationReleaseIndication(Association association) {
      ingest.auditReceipt(sender, "dicom.c-store", stored, duplicates);
    }
  }

  /** Spool files get random names: PixelMed would otherwise name them by SOP Instance UID. */
  private static final class RandomSpoolNames extends StoredFilePathStrategy {
    private final Path spool;

    RandomSpoolNames(Path spool) {
      this.spool = spool;
    }

    @Override
    public String makeStoredFilePath(String sopInstanceUid) {
      return UUID.randomUUID() + ".part";
    }

    @Override
    public File makeStoredFilePath(File folder, String sopInstanceUid) {
      return spool.resolve(makeStoredFilePath(sopInstanceUid)).toFile();
    }

    @Override
    public File makeReliableStoredFilePathWithFoldersCreated(File folder, String sopInstanceUid) {
      return makeStoredFilePath(folder, sopInstanceUid);
    }

    @Override
    public File makeReliableStoredFilePathWithFoldersCreated(
        File folder, String studyInstanceUid, String sopInstanceUid) {
      return makeStoredFilePath(folder, sopInstanceUid);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
      acceptor.join(5000);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package org.anatwin.ingest;

import java.nio.file.Path;
import java.time.Clock;
import org.anatwin.storage.Storage;

/**
 * A bare C-STORE receiver in its own JVM, for the crash test: home folder and port as arguments.
 */
public final class ReceiverMain {
  private ReceiverMain() {}

  public static void main(String[] args) throws InterruptedException {
    Storage storage = Storage.open(Storage.Settings.embedded(Path.of(args[0])));
    Ingest ingest = new Ingest(storage, event -> {}, Ingest.Limits.defaults(), Clock.systemUTC());
    DicomListener listener =
        ingest.listen(
            new DicomListener.Settings("ANATWIN", "127.0.0.1", Integer.parseInt(args[1]), 16384));
    System.out.println("READY " + listener.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}

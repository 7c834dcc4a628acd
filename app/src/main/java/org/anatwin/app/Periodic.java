package org.anatwin.app;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A task run again and again on a virtual thread, a pause between runs, until stopped; a run that
 * throws is tried again at the next round (the store or a printer may be away for a moment).
 */
final class Periodic {
  private final Thread thread;

  private Periodic(Thread thread) {
    this.thread = thread;
  }

  /** Starts running {@code task}, pausing {@code pause} after each run (or before, if asked). */
  static Periodic start(String name, Supplier<Duration> pause, boolean pauseFirst, Runnable task) {
    return new Periodic(
        Thread.ofVirtual()
            .name(name)
            .start(
                () -> {
                  boolean first = true;
                  while (!Thread.currentThread().isInterrupted()) {
                    try {
                      if (!first || pauseFirst) {
                        Thread.sleep(pause.get());
                      }
                      first = false;
                      task.run();
                    } catch (InterruptedException e) {
                      return;
                    } catch (RuntimeException e) {
                      // tried again at the next round
                    }
                  }
                }));
  }

  void stop() {
    thread.interrupt();
  }
}

package dev.deepretrieval.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Graceful stop on Ctrl-C or SIGTERM: the first signal sets a flag the training loop polls between steps, and the
 * JVM's exit waits until the loop has written its checkpoint and called {@link #uninstall()}.
 */
final class StopSignal {

    private final AtomicBoolean requested = new AtomicBoolean();
    private volatile Runnable onRequest = () -> {};
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private StopSignal(PrintWriter err, String message) {
        this.hook = new Thread(() -> {
            requested.set(true);
            onRequest.run();
            err.println();
            err.println(message);
            err.flush();
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "graceful-stop");
    }

    static StopSignal install(PrintWriter err) {
        return install(err, "stopping: finishing the current step and writing a checkpoint...");
    }

    /** As {@link #install(PrintWriter)}, saying {@code message} when the signal comes. */
    static StopSignal install(PrintWriter err, String message) {
        StopSignal signal = new StopSignal(err, message);
        Runtime.getRuntime().addShutdownHook(signal.hook);
        return signal;
    }

    /** Also runs {@code action} (on the signal's thread) when a stop is requested. */
    StopSignal onRequest(Runnable action) {
        this.onRequest = action;
        return this;
    }

    boolean requested() {
        return requested.get();
    }

    /** The loop is done (checkpoint written): lets a pending exit proceed, or removes the hook. */
    void uninstall() {
        finished.countDown();
        if (!requested.get()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting; the latch released the hook
            }
        }
    }
}

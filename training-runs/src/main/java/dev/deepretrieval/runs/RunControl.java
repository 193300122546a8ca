package dev.deepretrieval.runs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.streams.StepReport;
import java.util.concurrent.CompletableFuture;

/**
 * A training run's handle for whoever started it (the CLI, the runs API): it hears what the run does through a
 * {@link Listener}, and asks it to stop gracefully, to pause and to resume, also before the run can be controlled.
 */
public final class RunControl {

    /** What the run says as it goes; called from the run's threads. */
    public interface Listener {

        /** The run is about to train: its id, the metric its steps report, and its steps. */
        default void started(String runId, String metric, long firstStep, long totalSteps) {}

        default void step(StepReport report) {}

        /** A validation's {@code metrics.jsonl} line ({@code val/...} keys). */
        default void validation(ObjectNode line) {}

        /** Training has ended with its checkpoint and the held-out evaluation begins. */
        default void heldOut() {}

        /** A line worth showing a person (resumed at, validation figures, notices). */
        default void say(String line) {}
    }

    /** What the run does when asked: its supervisor's stop, pause and resume. */
    public record Handle(Runnable stop, Runnable pause, Runnable resume) {}

    private final Listener listener;
    private volatile Handle handle;
    private volatile boolean stopRequested;
    private volatile boolean pauseRequested;
    private final CompletableFuture<Void> trainingEnded = new CompletableFuture<>();

    public RunControl(Listener listener) {
        this.listener = listener;
    }

    public Listener listener() {
        return listener;
    }

    /** Asks the run to finish the batch in flight, checkpoint and stop (also before it has started). */
    public void requestStop() {
        stopRequested = true;
        Handle now = handle;
        if (now != null) {
            now.stop().run();
        }
    }

    /** Asks the run to draw no further batch until resumed (the batch in flight finishes); also before it started. */
    public void requestPause() {
        pauseRequested = true;
        Handle now = handle;
        if (now != null) {
            now.pause().run();
        }
    }

    /** Lets a paused run draw batches again. */
    public void requestResume() {
        pauseRequested = false;
        Handle now = handle;
        if (now != null) {
            now.resume().run();
        }
    }

    /** Called by the run once it can be controlled; a stop or pause asked for earlier is passed on at once. */
    void attach(Handle handle) {
        this.handle = handle;
        if (pauseRequested) {
            handle.pause().run();
        }
        if (stopRequested) {
            handle.stop().run();
        }
    }

    /**
     * Completes once the run's training has ended (completed, stopped with its checkpoint, or failed), before any
     * held-out evaluation: what a stopping process waits for; an evaluation in progress is abandoned, not waited for.
     */
    public CompletableFuture<Void> trainingEnded() {
        return trainingEnded;
    }

    /** Training has ended (called by the run, and by whoever ran it when it failed before training). */
    public void trained() {
        trainingEnded.complete(null);
    }
}

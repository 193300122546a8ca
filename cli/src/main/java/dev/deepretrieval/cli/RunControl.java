package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.streams.StepReport;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A training run's handle for whoever started it in process (the HTTP runs API) instead of a terminal: it hears every
 * step and validation, and can ask the run to stop gracefully (in place of Ctrl-C), to pause and to resume.
 */
final class RunControl {

    /** What the run does when asked: its supervisor's stop, pause and resume. */
    record Handle(Runnable stop, Runnable pause, Runnable resume) {}

    private final Consumer<StepReport> steps;
    private final Consumer<ObjectNode> validations;
    private volatile Handle handle;
    private volatile boolean stopRequested;
    private volatile boolean pauseRequested;
    private final CompletableFuture<Void> trainingEnded = new CompletableFuture<>();
    private final Runnable onHeldOut;

    RunControl(Consumer<StepReport> steps) {
        this(steps, line -> {}, () -> {});
    }

    /**
     * @param validations hears each validation's {@code metrics.jsonl} line ({@code val/...} keys)
     * @param onHeldOut hears that training has ended and the held-out evaluation begins
     */
    RunControl(Consumer<StepReport> steps, Consumer<ObjectNode> validations, Runnable onHeldOut) {
        this.steps = steps;
        this.validations = validations;
        this.onHeldOut = onHeldOut;
    }

    /**
     * Completes once the run's training has ended (completed, stopped with its checkpoint, or failed), before any
     * held-out evaluation: what a stopping server waits for; an evaluation in progress is abandoned, not waited for.
     */
    CompletableFuture<Void> trainingEnded() {
        return trainingEnded;
    }

    /** Training has ended (called by the run, also when it failed to start). */
    void trained() {
        trainingEnded.complete(null);
    }

    /** The held-out evaluation begins (training ended with its checkpoint). */
    void heldOut() {
        onHeldOut.run();
    }

    /** Asks the run to finish the batch in flight, checkpoint and stop (also before it has started). */
    void requestStop() {
        stopRequested = true;
        Handle now = handle;
        if (now != null) {
            now.stop().run();
        }
    }

    /** Asks the run to draw no further batch until resumed (the batch in flight finishes); also before it started. */
    void requestPause() {
        pauseRequested = true;
        Handle now = handle;
        if (now != null) {
            now.pause().run();
        }
    }

    /** Lets a paused run draw batches again. */
    void requestResume() {
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

    void step(StepReport report) {
        steps.accept(report);
    }

    void validation(ObjectNode line) {
        validations.accept(line);
    }
}

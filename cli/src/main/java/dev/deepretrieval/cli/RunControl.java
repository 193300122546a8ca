package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.streams.StepReport;
import java.util.function.Consumer;

/**
 * A training run's handle for whoever started it in process (the HTTP runs API) instead of a terminal: it hears every
 * step and validation, and can ask the run to stop gracefully (in place of Ctrl-C).
 */
final class RunControl {

    private final Consumer<StepReport> steps;
    private final Consumer<ObjectNode> validations;
    private volatile Runnable stopper;
    private volatile boolean stopRequested;

    RunControl(Consumer<StepReport> steps) {
        this(steps, line -> {});
    }

    /** @param validations hears each validation's {@code metrics.jsonl} line ({@code val/...} keys) */
    RunControl(Consumer<StepReport> steps, Consumer<ObjectNode> validations) {
        this.steps = steps;
        this.validations = validations;
    }

    /** Asks the run to finish the batch in flight, checkpoint and stop (also before it has started). */
    void requestStop() {
        stopRequested = true;
        Runnable now = stopper;
        if (now != null) {
            now.run();
        }
    }

    /** Called by the run once it can be stopped; a stop asked for earlier is passed on at once. */
    void stopWith(Runnable stopper) {
        this.stopper = stopper;
        if (stopRequested) {
            stopper.run();
        }
    }

    void step(StepReport report) {
        steps.accept(report);
    }

    void validation(ObjectNode line) {
        validations.accept(line);
    }
}

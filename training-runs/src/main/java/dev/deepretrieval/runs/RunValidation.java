package dev.deepretrieval.runs;


import dev.deepretrieval.actors.RolloutPolicies;
import dev.deepretrieval.tasks.HeldOutEvaluation;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.checkpoint.WeightAverage;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Validation during a training run, as verl's {@code test_freq}: the validation queries (carved from the training
 * data, never trained on) rewritten greedily by the initial policy, by the policy of every {@code every}-th step's
 * checkpoint while training goes on (on a thread of its own, so the training stream is never blocked), and by the
 * trained policy at the end. With {@code averaged} above 1, a step's policy is the mean of the weights of its newest
 * {@code averaged} checkpoints (latest weight averaging), and that mean is what is selected and exported. Each result is a {@code val/...} line in {@code metrics.jsonl}.
 *
 * <p>It also keeps the best policy it validated ({@link #selected()}, as Hugging Face's {@code load_best_model_at_end}):
 * the one with the highest first metric, the earliest on a tie, the initial policy included. A step that beats every
 * earlier one is exported to {@code best-model/} while training goes on, so the choice survives checkpoint retention.
 */
public final class RunValidation implements AutoCloseable {

    private final HeldOutEvaluation evaluation;
    private final TrainingOutputs outputs;
    private final Path model;
    private final Path checkpoints;
    private final String device;
    private final long every;
    private final int averaged;
    private final Consumer<String> say;
    private final java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> listener;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "validation");
        t.setDaemon(true);
        return t;
    });
    private volatile long lastValidated = -1;
    private final Path bestFolder;
    private volatile Selection best; // null until the first validation of this process

    /** The policy validation chose: its step, its validation metric, and where it is. */
    public record Selection(long step, String metric, double value, Path policy) {}

    /** @param listener hears each validation's line as it is written (the runs API's followers) */
    public RunValidation(HeldOutEvaluation evaluation, TrainingOutputs outputs, Path model, Path checkpoints, String device,
            long every, int averaged, Path bestFolder, Consumer<String> say,
            java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> listener) {
        this.listener = listener;
        this.bestFolder = bestFolder;
        this.evaluation = evaluation;
        this.outputs = outputs;
        this.model = model;
        this.checkpoints = checkpoints;
        this.device = device;
        this.every = every;
        this.averaged = averaged;
        this.say = say;
    }

    /**
     * Validates the original queries (the baseline every rewrite is measured against, kept in
     * {@code validation-original.json}) and the starting policy as step 0, on the calling thread.
     */
    public HeldOutEvaluation.Result initial(Path folder) throws Exception {
        var original = evaluation.original();
        if (original.isPresent()) {
            AtomicFiles.writeJson(folder.resolve(ORIGINAL_FILE), original.get().toJson());
            String first = original.get().metrics().keySet().iterator().next();
            say.accept(String.format(Locale.ROOT, "validation, original queries: %s %.4f (%d queries)", first,
                    original.get().metrics().get(first), original.get().queries()));
        }
        HeldOutEvaluation.Result result = evaluation.rewritten(model, device);
        record(0, result, null);
        offer(0, result, () -> model);
        return result;
    }

    /** The validation of the original queries, in the run folder. */
    static final String ORIGINAL_FILE = "validation-original.json";

    /** Called with every finished step: every {@code every}-th is validated from its checkpoint, in the background. */
    public void onStep(long step) {
        if (every > 0 && step % every == 0) {
            // read on the validation thread, as the policy is built: the training stream only hands over the step
            thread.execute(() -> {
                try {
                    validate(step, RolloutPolicies.averageUpTo(checkpoints, step, averaged));
                } catch (RuntimeException e) {
                    say.accept(String.format(Locale.ROOT, "validation of step %d skipped: %s", step, e.getMessage()));
                }
            });
        }
    }

    private void validate(long step, WeightAverage weights) {
        try (Policy policy = RolloutPolicies.load(model, weights, device)) {
            HeldOutEvaluation.Result result = evaluation.rewritten(policy);
            record(step, result, weights);
            offer(step, result, () -> export(policy));
        } catch (Exception e) {
            say.accept(String.format(Locale.ROOT, "validation of step %d skipped: %s", step, e.getMessage()));
        }
    }

    /** Waits for validations in progress, then validates the trained policy unless its step was validated already. */
    public void finish(Path trained, long lastStep) throws Exception {
        thread.shutdown();
        thread.awaitTermination(1, TimeUnit.HOURS);
        if (lastValidated == lastStep) {
            return;
        }
        if (averaged > 1 && lastStep > 0) {
            try {
                validate(lastStep, RolloutPolicies.averageUpTo(checkpoints, lastStep, averaged));
                return;
            } catch (IllegalArgumentException noCheckpoint) {
                // no checkpoint of the last step to average from: the trained policy's own weights
            }
        }
        HeldOutEvaluation.Result result = evaluation.rewritten(trained, device);
        record(lastStep, result, null);
        offer(lastStep, result, () -> trained);
    }

    /** The best policy validated in this process (after {@link #finish}); empty when none was. */
    public java.util.Optional<Selection> selected() {
        return java.util.Optional.ofNullable(best);
    }

    /** A place for a policy that may become the best: its folder, made only when it does. */
    private interface PolicyFolder {
        Path get() throws Exception;
    }

    private void offer(long step, HeldOutEvaluation.Result result, PolicyFolder folder) throws Exception {
        String metric = result.metrics().keySet().iterator().next();
        double value = result.metrics().get(metric);
        Selection current = best;
        if (current == null || value > current.value()) {
            best = new Selection(step, metric, value, folder.get());
        }
    }

    /** Exports a validated checkpoint's policy to {@code best-model/} (staged, then renamed into place). */
    private Path export(Policy policy) throws java.io.IOException {
        Path staging = bestFolder.resolveSibling(bestFolder.getFileName() + ".staging");
        if (java.nio.file.Files.exists(staging)) {
            AtomicFiles.deleteTree(staging);
        }
        dev.deepretrieval.policy.HfExporter.exportWithTokenizerOf(policy.weights(), staging, model);
        AtomicFiles.publishFolder(staging, bestFolder);
        return bestFolder;
    }

    /** @param weights the checkpoints averaged into the validated policy (null: one policy's own weights) */
    private void record(long step, HeldOutEvaluation.Result result, WeightAverage weights) {
        outputs.validation(step, result);
        listener.accept(TrainingOutputs.validationLine(step, result));
        lastValidated = step;
        String first = result.metrics().keySet().iterator().next();
        String averagedSteps = weights == null || weights.steps().size() < 2 ? ""
                : ", the mean of the weights of steps " + weights.steps().reversed().stream().map(String::valueOf)
                        .collect(java.util.stream.Collectors.joining(", "));
        say.accept(String.format(Locale.ROOT, "validation at step %d: %s %.4f, format %.3f (%d queries%s)", step, first,
                result.metrics().get(first), result.formatValidRate().orElse(Double.NaN), result.queries(),
                averagedSteps));
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}

package dev.deepretrieval.runs;

import dev.deepretrieval.policy.lm.LmTrainingSettings;
import dev.deepretrieval.tasks.Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A supervised run's folder (prepared: a new run, or one to resume) and training settings, from a request and the
 * command's config section ({@code deepretrieval.pretrain.}, {@code deepretrieval.cold-start.}).
 */
public record SupervisedRun(Path folder, Path checkpoints, LmTrainingSettings training, long seed) {

    /**
     * What to run; empty fields come from the config section.
     *
     * @param resume continue the run in {@code out} from its newest checkpoint
     */
    public record Request(Optional<Path> out, boolean resume, Optional<Integer> epochs, Optional<Long> seed) {}

    /** A supervised run's result: its summary when it ran to the end; empty when a stop ended it early. */
    public record Outcome(Path folder, Optional<com.fasterxml.jackson.databind.node.ObjectNode> summary) {}

    static SupervisedRun prepare(Settings settings, String prefix, Request request) throws IOException {
        Path folder = request.out().orElseGet(() -> settings.path(prefix + "out"));
        long seed = request.seed().orElseGet(() -> settings.raw().getLong(prefix + "seed"));
        LmTrainingSettings training = LmSettings.read(settings, prefix + "training", request.epochs().orElse(null), seed);
        Path checkpoints = folder.resolve("checkpoints");
        RunFolders.prepare(folder, checkpoints, request.resume());
        return new SupervisedRun(folder, checkpoints, training, seed);
    }
}

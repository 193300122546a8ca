package dev.deepretrieval.cli;

import dev.deepretrieval.runs.*;
import dev.deepretrieval.tasks.*;
import dev.deepretrieval.policy.lm.LmTrainingSettings;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** The options {@code pretrain} and {@code cold-start} share: where the run goes, resuming it, epochs and seed. */
final class SupervisedRunOptions {

    @Option(names = "--out", paramLabel = "FOLDER", description = "Output folder (default from config).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint.")
    boolean resume;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data (default from config).")
    Integer epochs;

    @Option(names = "--seed", paramLabel = "S", description = "Initialisation and shuffling seed (default from config).")
    Long seed;

    /** A run's folder (prepared: a new run, or one to resume) and its training settings. */
    record Run(Path folder, Path checkpoints, LmTrainingSettings training, long seed) {}

    /** Resolves the options against the command's config section ({@code deepretrieval.pretrain.} etc.). */
    Run prepare(Settings settings, String prefix, CommandSpec spec) throws IOException {
        Path folder = out != null ? out : settings.path(prefix + "out");
        long runSeed = seed != null ? seed : settings.raw().getLong(prefix + "seed");
        LmTrainingSettings training = LmSettings.read(settings, prefix + "training", epochs, runSeed);
        Path checkpoints = folder.resolve("checkpoints");
        RunFolders.prepare(folder, checkpoints, resume);
        return new Run(folder, checkpoints, training, runSeed);
    }
}

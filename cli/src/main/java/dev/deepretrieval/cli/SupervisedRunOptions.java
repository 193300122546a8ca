package dev.deepretrieval.cli;

import dev.deepretrieval.runs.SupervisedRun;
import java.nio.file.Path;
import java.util.Optional;
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

    SupervisedRun.Request request() {
        return new SupervisedRun.Request(Optional.ofNullable(out), resume, Optional.ofNullable(epochs),
                Optional.ofNullable(seed));
    }
}

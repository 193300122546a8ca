package dev.deepretrieval.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The main job. Until the training service lands it says what it will do and points at {@code eval}. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains the query-rewriting policy by reinforcement learning against a real retriever.", "",
            "With no arguments (the embedded defaults) it will load the bundled default policy, prompt it with the"
                + " SciFact train claims, score every rewrite with BM25 nDCG through the paper's BEIR reward, apply"
                + " PPO updates, checkpoint, and finally compare original, initial and trained queries on SciFact"
                + " test."},
        footer = {"%nNot available yet in this build: the bundled default policy and the training service are being"
                + " built (the policy, sampling and PPO/GRPO maths exist; see README).",
            "Runnable today: ./deepretrieval eval --dataset scifact --split test", ExitCode.HELP_FOOTER})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Override
    public Integer call() {
        configOptions.load(); // a broken configuration is reported now, not when training lands
        var err = spec.commandLine().getErr();
        err.println("deepretrieval: train is not available yet in this build (the bundled default policy and the"
                + " training service are not built; the policy and the PPO/GRPO maths are).");
        err.println("It will RL-train the bundled default policy on SciFact with BM25 rewards; see ./deepretrieval train --help.");
        err.println("Runnable today: ./deepretrieval eval --dataset scifact --split test");
        err.flush();
        return ExitCode.UNAVAILABLE;
    }
}

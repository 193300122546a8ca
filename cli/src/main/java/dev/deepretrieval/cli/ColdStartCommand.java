package dev.deepretrieval.cli;

import dev.deepretrieval.runs.ColdStartJob;
import dev.deepretrieval.tasks.Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Teaches a pretrained model only the answer format: restate the training query, unchanged, as the answer. */
@Command(name = "cold-start", mixinStandardHelpOptions = true,
        description = {"Fine-tunes a pretrained model on the cold-start task (deepretrieval.cold-start): for every"
                + " training query, inside the task's prompt, the target is the same query in the answer format"
                + " (<think> variant: a fixed thought, then </think><answer>{\"query\": ...}</answer>). No reference"
                + " rewrites: RL must find every improvement.",
            "Leaves in --out: metrics.jsonl, loss.png, checkpoints/, summary.json and model/."},
        footer = {"%nExample: ./deepretrieval cold-start --model runs/pretrain/model --out runs/cold-start",
            ExitCode.HELP_FOOTER})
final class ColdStartCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--model", paramLabel = "FOLDER", description = "The pretrained Hugging Face folder (default from config).")
    Path model;

    @Mixin
    SupervisedRunOptions run;

    @Override
    public Integer call() throws IOException {
        Settings settings = new Settings(configOptions.load());
        return ConsoleSupervisedProgress.run(spec, (listener, stop) -> ColdStartJob.run(settings, run.request(), Optional.ofNullable(model), listener, stop));
    }
}

package dev.deepretrieval.cli;

import dev.deepretrieval.runs.PretrainingJob;
import dev.deepretrieval.tasks.Settings;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Causal-LM pretraining of a small Llama from scratch on the bundled text: trains the byte-level BPE tokenizer,
 * packs the corpora, trains with held-out loss and checkpoints, and exports a Hugging Face folder.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrains a small Llama-architecture language model from scratch on the bundled corpora"
                + " (deepretrieval.pretrain in application.conf): trains a byte-level BPE tokenizer, then next-token"
                + " prediction with a held-out split.",
            "Leaves in --out: tokenizer.json, metrics.jsonl, loss.png, checkpoints/, summary.json and model/ (a Hugging"
                + " Face folder that cold-start, generate and eval load). Ctrl-C checkpoints and stops; --resume continues."},
        footer = {"%nExample: ./deepretrieval pretrain --out runs/pretrain", ExitCode.HELP_FOOTER})
final class PretrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    SupervisedRunOptions run;

    @Override
    public Integer call() throws IOException {
        Settings settings = new Settings(configOptions.load());
        return ConsoleSupervisedProgress.run(spec, (listener, stop) -> PretrainingJob.run(settings, run.request(), listener, stop));
    }
}

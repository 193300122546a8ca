package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.policy.HfExporter;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.lm.LmTrainer;
import dev.deepretrieval.policy.lm.LmTrainingSettings;
import dev.deepretrieval.policy.lm.PackedSequences;
import dev.deepretrieval.policy.lm.SupervisedExample;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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

    private static final String PREFIX = "deepretrieval.cold-start.";

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
        Path source = model != null ? model : settings.path(PREFIX + "model");
        SupervisedRunOptions.Run prepared = run.prepare(settings, PREFIX, spec);
        Path folder = prepared.folder();
        Path checkpointsFolder = prepared.checkpoints();
        LmTrainingSettings training = prepared.training();
        PrintWriter err = spec.commandLine().getErr();
        String endOfTurnText = settings.text("deepretrieval.pretrain.tokenizer.end-of-turn");

        try (Policy policy = PolicyLoader.load(source, Optional.empty(),
                PolicyLoader.device(settings.text("deepretrieval.policy.device")))) {
            int endOfTurn = policy.tokenizer().tokenId(endOfTurnText).orElseThrow(() -> new ParameterException(
                    spec.commandLine(), source + ": the tokenizer has no single token " + endOfTurnText));
            var train = new ArrayList<SupervisedExample>();
            var heldOut = new ArrayList<SupervisedExample>();
            int heldOutEvery = settings.positiveInt(PREFIX + "held-out-every");
            int index = 0;
            for (ColdStartExamples.Source task : sources(settings)) {
                List<SupervisedExample> examples = ColdStartExamples.build(policy, task, endOfTurn);
                err.printf(Locale.ROOT, "cold start: %,d %s %s (%s prompt)%n", examples.size(),
                        task.folder().getFileName(), task.kind().equals("titles") ? "document titles"
                                : task.split() + " queries", task.template().name());
                for (SupervisedExample example : examples) {
                    (index++ % heldOutEvery == 0 ? heldOut : train).add(example);
                }
            }
            var store = new CheckpointStore(checkpointsFolder, settings.positiveInt(PREFIX + "keep-checkpoints"));
            var trainer = new LmTrainer(policy.weights(), training, store);
            int total = trainer.totalSteps(train.size());
            err.printf(Locale.ROOT, "%,d train and %,d held-out examples (%,d target tokens per epoch); %d steps%n",
                    train.size(), heldOut.size(), PackedSequences.targetTokens(train), total);
            long started = System.nanoTime();
            var finished = LmRunOutput.runToEnd(trainer, train, heldOut, folder, "cold-start loss", err);
            if (finished.isEmpty()) {
                return ExitCode.INTERRUPTED;
            }
            double heldOutLoss = finished.getAsDouble();
            Path exported = folder.resolve("model");
            HfExporter.exportWithTokenizerOf(policy.weights(), exported, source);
            ObjectNode summary = Json.object();
            summary.put("base_model", source.toString());
            summary.put("train_examples", train.size());
            summary.put("heldout_examples", heldOut.size());
            summary.put("steps", total);
            summary.put("epochs", training.epochs());
            summary.put("heldout_loss", heldOutLoss);
            summary.put("heldout_perplexity", Math.exp(heldOutLoss));
            summary.put("seconds_this_session", (System.nanoTime() - started) / 1e9);
            AtomicFiles.writeJson(folder.resolve("summary.json"), summary);
            err.printf(Locale.ROOT, "held-out target perplexity %.3f; model written to %s%n", Math.exp(heldOutLoss), exported);
            spec.commandLine().getOut().println(Json.line(summary));
            return ExitCode.OK;
        }
    }

    private List<ColdStartExamples.Source> sources(Settings settings) {
        var sources = new ArrayList<ColdStartExamples.Source>();
        List<? extends Config> tasks = settings.raw().getConfigList(PREFIX + "tasks");
        for (Config task : tasks) {
            Path folder = DatasetResolver.resolve(settings, task.getString("dataset"), "dataset").folder();
            PromptTemplate template;
            try {
                template = PromptTemplate.bundled(task.getString("template"));
            } catch (IllegalArgumentException e) {
                throw settings.bad(PREFIX + "tasks", e.getMessage());
            }
            String kind = task.hasPath("source") ? task.getString("source") : "queries";
            if (!kind.equals("queries") && !kind.equals("titles")) {
                throw settings.bad(PREFIX + "tasks", "source must be queries or titles, got " + kind);
            }
            sources.add(new ColdStartExamples.Source(folder, kind, task.hasPath("split") ? task.getString("split") : "train",
                    template, task.hasPath("max-queries") ? task.getInt("max-queries") : 0));
        }
        return sources;
    }
}

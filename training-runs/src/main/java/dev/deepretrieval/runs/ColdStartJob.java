package dev.deepretrieval.runs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.HfExporter;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.lm.LmTrainer;
import dev.deepretrieval.policy.lm.LmTrainingSettings;
import dev.deepretrieval.policy.lm.PackedSequences;
import dev.deepretrieval.policy.lm.SupervisedExample;
import dev.deepretrieval.tasks.DatasetResolver;
import dev.deepretrieval.tasks.Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;

/**
 * The cold start ({@code deepretrieval.cold-start}): fine-tunes a pretrained model to restate each training query,
 * unchanged, in the answer format inside its task's prompt (no reference rewrites: RL must find every improvement).
 * Leaves {@code metrics.jsonl}, {@code loss.png}, {@code checkpoints/}, {@code summary.json} and {@code model/}.
 */
public final class ColdStartJob {

    private static final String PREFIX = "deepretrieval.cold-start.";

    private ColdStartJob() {}

    /** @param model the pretrained Hugging Face folder; empty = the configured one */
    public static SupervisedRun.Outcome run(Settings settings, SupervisedRun.Request request, Optional<Path> model,
            SupervisedListener listener, BooleanSupplier stop) throws IOException {
        Path source = model.orElseGet(() -> settings.path(PREFIX + "model"));
        SupervisedRun run = SupervisedRun.prepare(settings, PREFIX, request);
        Path folder = run.folder();
        LmTrainingSettings training = run.training();
        String endOfTurnText = settings.text("deepretrieval.pretrain.tokenizer.end-of-turn");
        try (Policy policy = PolicyLoader.load(source, Optional.empty(),
                PolicyLoader.device(settings.text("deepretrieval.policy.device")))) {
            int endOfTurn = policy.tokenizer().tokenId(endOfTurnText).orElseThrow(() -> settings.bad(
                    "deepretrieval.pretrain.tokenizer.end-of-turn", source + ": the tokenizer has no single token "
                            + endOfTurnText));
            var train = new ArrayList<SupervisedExample>();
            var heldOut = new ArrayList<SupervisedExample>();
            int heldOutEvery = settings.positiveInt(PREFIX + "held-out-every");
            int index = 0;
            for (ColdStartExamples.Source task : sources(settings)) {
                List<SupervisedExample> examples = ColdStartExamples.build(policy, task, endOfTurn);
                listener.say(String.format(Locale.ROOT, "cold start: %,d %s %s (%s prompt)", examples.size(),
                        task.folder().getFileName(), task.kind().equals("titles") ? "document titles"
                                : task.split() + " queries", task.template().name()));
                for (SupervisedExample example : examples) {
                    (index++ % heldOutEvery == 0 ? heldOut : train).add(example);
                }
            }
            var store = new CheckpointStore(run.checkpoints(), settings.positiveInt(PREFIX + "keep-checkpoints"));
            var trainer = new LmTrainer(policy.weights(), training, store);
            int total = trainer.totalSteps(train.size());
            listener.say(String.format(Locale.ROOT, "%,d train and %,d held-out examples (%,d target tokens per epoch);"
                    + " %d steps", train.size(), heldOut.size(), PackedSequences.targetTokens(train), total));
            long started = System.nanoTime();
            OptionalDouble finished = LmRunRecorder.runToEnd(trainer, train, heldOut, folder, "cold-start loss",
                    listener, stop);
            if (finished.isEmpty()) {
                return new SupervisedRun.Outcome(folder, Optional.empty());
            }
            double heldOutLoss = finished.getAsDouble();
            Path exported = folder.resolve("model");
            HfExporter.exportWithTokenizerOf(policy.weights(), exported, source);
            ObjectNode summary = JsonMapping.mapper().createObjectNode();
            summary.put("base_model", source.toString());
            summary.put("train_examples", train.size());
            summary.put("heldout_examples", heldOut.size());
            summary.put("steps", total);
            summary.put("epochs", training.epochs());
            summary.put("heldout_loss", heldOutLoss);
            summary.put("heldout_perplexity", Math.exp(heldOutLoss));
            summary.put("seconds_this_session", (System.nanoTime() - started) / 1e9);
            AtomicFiles.writeJson(folder.resolve("summary.json"), summary);
            listener.say(String.format(Locale.ROOT, "held-out target perplexity %.3f; model written to %s",
                    Math.exp(heldOutLoss), exported));
            return new SupervisedRun.Outcome(folder, Optional.of(summary));
        }
    }

    private static List<ColdStartExamples.Source> sources(Settings settings) {
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

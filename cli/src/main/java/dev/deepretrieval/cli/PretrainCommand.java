package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.policy.HfExporter;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.lm.LmTrainer;
import dev.deepretrieval.policy.lm.LmTrainingSettings;
import dev.deepretrieval.policy.lm.PackedSequences;
import dev.deepretrieval.policy.lm.SupervisedExample;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ModelConfig;
import dev.deepretrieval.policy.tokenizer.ByteLevelBpeTrainer;
import dev.deepretrieval.policy.tokenizer.HfTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
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

    private static final String PREFIX = "deepretrieval.pretrain.";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    SupervisedRunOptions run;

    @Override
    public Integer call() throws IOException {
        Settings settings = new Settings(configOptions.load());
        SupervisedRunOptions.Run prepared = run.prepare(settings, PREFIX, spec);
        Path folder = prepared.folder();
        Path checkpointsFolder = prepared.checkpoints();
        LmTrainingSettings training = prepared.training();
        long runSeed = prepared.seed();
        PrintWriter err = spec.commandLine().getErr();

        var datasetFolders = new ArrayList<Path>();
        for (String name : settings.texts(PREFIX + "corpora")) {
            datasetFolders.add(DatasetResolver.resolve(settings, name, "dataset").folder());
        }
        PretrainingText text = PretrainingText.load(datasetFolders, settings.positiveInt(PREFIX + "held-out-every"),
                settings.raw().getInt(PREFIX + "max-documents"));
        err.printf(Locale.ROOT, "pretraining text: %,d documents (%,d held out) from %s%n",
                text.train().size() + text.heldOut().size(), text.heldOut().size(), settings.texts(PREFIX + "corpora"));

        Path tokenizerFile = folder.resolve("tokenizer.json");
        List<String> specials = settings.texts(PREFIX + "tokenizer.special-tokens");
        if (!Files.exists(tokenizerFile)) {
            long start = System.nanoTime();
            var trainer = new ByteLevelBpeTrainer(settings.positiveInt(PREFIX + "tokenizer.vocab-size"), specials);
            trainer.write(trainer.train(text.train()), tokenizerFile);
            err.printf(Locale.ROOT, "trained the tokenizer in %.1f s%n", (System.nanoTime() - start) / 1e9);
        }
        ModelConfig config;
        List<SupervisedExample> train;
        List<SupervisedExample> heldOut;
        int sequenceLength = settings.positiveInt(PREFIX + "sequence-length");
        try (HfTokenizer tokenizer = HfTokenizer.open(tokenizerFile)) {
            int endOfText = specialId(tokenizer, settings.text(PREFIX + "tokenizer.end-of-text"));
            int endOfTurn = specialId(tokenizer, settings.text(PREFIX + "tokenizer.end-of-turn"));
            config = LmSettings.modelConfig(settings, PREFIX + "model", vocabularySize(tokenizerFile), endOfText,
                    List.of(endOfText, endOfTurn));
            train = PackedSequences.pack(encodeAll(tokenizer, text.train()), endOfText, sequenceLength);
            heldOut = PackedSequences.pack(encodeAll(tokenizer, text.heldOut()), endOfText, sequenceLength);
        }
        err.printf(Locale.ROOT, "model: %s; %,d train and %,d held-out tokens in chunks of %d%n", describe(config),
                PackedSequences.targetTokens(train), PackedSequences.targetTokens(heldOut), sequenceLength);

        long started = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager(PolicyLoader.device(settings.text("deepretrieval.policy.device")), "PyTorch");
                DecoderWeights weights = DecoderWeights.random(config, runSeed, manager)) {
            var store = new CheckpointStore(checkpointsFolder, settings.positiveInt(PREFIX + "keep-checkpoints"));
            var trainer = new LmTrainer(weights, training, store);
            var finished = LmRunOutput.runToEnd(trainer, train, heldOut, folder, "pretraining loss", err);
            if (finished.isEmpty()) {
                return ExitCode.INTERRUPTED;
            }
            double heldOutLoss = finished.getAsDouble();
            int total = trainer.totalSteps(train.size());
            HfExporter.export(weights, folder.resolve("model"), Optional.of(tokenizerFile),
                    Optional.of(LmSettings.tokenizerConfig(settings.text(PREFIX + "tokenizer.end-of-text"),
                            settings.text(PREFIX + "tokenizer.end-of-turn"), config.maxPositions())));
            ObjectNode summary = Json.object();
            summary.put("parameters", weights.parameterCount());
            summary.put("train_tokens_per_epoch", PackedSequences.targetTokens(train));
            summary.put("heldout_tokens", PackedSequences.targetTokens(heldOut));
            summary.put("steps", total);
            summary.put("epochs", training.epochs());
            summary.put("batch_size", training.batchSize());
            summary.put("sequence_length", sequenceLength);
            summary.put("heldout_loss", heldOutLoss);
            summary.put("heldout_perplexity", Math.exp(heldOutLoss));
            summary.put("seconds_this_session", (System.nanoTime() - started) / 1e9);
            AtomicFiles.writeJson(folder.resolve("summary.json"), summary);
            err.printf(Locale.ROOT, "held-out perplexity %.2f; model written to %s%n", Math.exp(heldOutLoss),
                    folder.resolve("model"));
            spec.commandLine().getOut().println(Json.line(summary));
            return ExitCode.OK;
        }
    }

    private int specialId(HfTokenizer tokenizer, String token) {
        return tokenizer.tokenId(token).orElseThrow(() -> new ParameterException(spec.commandLine(),
                "the tokenizer has no single token '" + token + "' (list it in deepretrieval.pretrain.tokenizer.special-tokens)"));
    }

    /** One more than the largest id in a {@code tokenizer.json} (vocabulary and added tokens). */
    static int vocabularySize(Path tokenizerJson) throws IOException {
        var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tokenizerJson.toFile());
        int largest = -1;
        for (var id : root.path("model").path("vocab")) {
            largest = Math.max(largest, id.asInt());
        }
        for (var added : root.path("added_tokens")) {
            largest = Math.max(largest, added.path("id").asInt());
        }
        return largest + 1;
    }

    private static List<int[]> encodeAll(HfTokenizer tokenizer, List<String> texts) {
        var out = new ArrayList<int[]>(texts.size());
        for (String text : texts) {
            out.add(tokenizer.encode(text));
        }
        return out;
    }

    private static String describe(ModelConfig c) {
        return String.format(Locale.ROOT, "Llama %,d parameters (hidden %d, %d layers, %d heads, vocab %,d)",
                c.parameterCount(), c.hiddenSize(), c.numLayers(), c.numHeads(), c.vocabSize());
    }
}

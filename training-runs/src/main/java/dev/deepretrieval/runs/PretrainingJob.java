package dev.deepretrieval.runs;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.io.JsonMapping;
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
import dev.deepretrieval.tasks.DatasetResolver;
import dev.deepretrieval.tasks.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;

/**
 * Causal-LM pretraining of a small Llama from scratch on the configured corpora ({@code deepretrieval.pretrain}):
 * trains the byte-level BPE tokenizer, packs the corpora, trains with held-out loss and checkpoints, and exports a
 * Hugging Face folder ({@code model/}) with {@code summary.json}.
 */
public final class PretrainingJob {

    private static final String PREFIX = "deepretrieval.pretrain.";

    private PretrainingJob() {}

    public static SupervisedRun.Outcome run(Settings settings, SupervisedRun.Request request,
            SupervisedListener listener, BooleanSupplier stop) throws IOException {
        SupervisedRun run = SupervisedRun.prepare(settings, PREFIX, request);
        Path folder = run.folder();
        LmTrainingSettings training = run.training();
        var datasetFolders = new ArrayList<Path>();
        for (String name : settings.texts(PREFIX + "corpora")) {
            datasetFolders.add(DatasetResolver.resolve(settings, name, "dataset").folder());
        }
        PretrainingText text = PretrainingText.load(datasetFolders, settings.positiveInt(PREFIX + "held-out-every"),
                settings.raw().getInt(PREFIX + "max-documents"));
        listener.say(String.format(Locale.ROOT, "pretraining text: %,d documents (%,d held out) from %s",
                text.train().size() + text.heldOut().size(), text.heldOut().size(), settings.texts(PREFIX + "corpora")));

        Path tokenizerFile = folder.resolve("tokenizer.json");
        List<String> specials = settings.texts(PREFIX + "tokenizer.special-tokens");
        if (!Files.exists(tokenizerFile)) {
            long start = System.nanoTime();
            var trainer = new ByteLevelBpeTrainer(settings.positiveInt(PREFIX + "tokenizer.vocab-size"), specials);
            trainer.write(trainer.train(text.train()), tokenizerFile);
            listener.say(String.format(Locale.ROOT, "trained the tokenizer in %.1f s", (System.nanoTime() - start) / 1e9));
        }
        ModelConfig config;
        List<SupervisedExample> train;
        List<SupervisedExample> heldOut;
        int sequenceLength = settings.positiveInt(PREFIX + "sequence-length");
        try (HfTokenizer tokenizer = HfTokenizer.open(tokenizerFile)) {
            int endOfText = specialId(settings, tokenizer, settings.text(PREFIX + "tokenizer.end-of-text"));
            int endOfTurn = specialId(settings, tokenizer, settings.text(PREFIX + "tokenizer.end-of-turn"));
            config = LmSettings.modelConfig(settings, PREFIX + "model", vocabularySize(tokenizerFile), endOfText,
                    List.of(endOfText, endOfTurn));
            train = PackedSequences.pack(encodeAll(tokenizer, text.train()), endOfText, sequenceLength);
            heldOut = PackedSequences.pack(encodeAll(tokenizer, text.heldOut()), endOfText, sequenceLength);
        }
        listener.say(String.format(Locale.ROOT, "model: %s; %,d train and %,d held-out tokens in chunks of %d",
                describe(config), PackedSequences.targetTokens(train), PackedSequences.targetTokens(heldOut),
                sequenceLength));

        long started = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager(PolicyLoader.device(settings.text("deepretrieval.policy.device")),
                        "PyTorch");
                DecoderWeights weights = DecoderWeights.random(config, run.seed(), manager)) {
            var store = new CheckpointStore(run.checkpoints(), settings.positiveInt(PREFIX + "keep-checkpoints"));
            var trainer = new LmTrainer(weights, training, store);
            OptionalDouble finished = LmRunRecorder.runToEnd(trainer, train, heldOut, folder, "pretraining loss",
                    listener, stop);
            if (finished.isEmpty()) {
                return new SupervisedRun.Outcome(folder, Optional.empty());
            }
            double heldOutLoss = finished.getAsDouble();
            HfExporter.export(weights, folder.resolve("model"), Optional.of(tokenizerFile),
                    Optional.of(LmSettings.tokenizerConfig(settings.text(PREFIX + "tokenizer.end-of-text"),
                            settings.text(PREFIX + "tokenizer.end-of-turn"), config.maxPositions())));
            ObjectNode summary = JsonMapping.mapper().createObjectNode();
            summary.put("parameters", weights.parameterCount());
            summary.put("train_tokens_per_epoch", PackedSequences.targetTokens(train));
            summary.put("heldout_tokens", PackedSequences.targetTokens(heldOut));
            summary.put("steps", trainer.totalSteps(train.size()));
            summary.put("epochs", training.epochs());
            summary.put("batch_size", training.batchSize());
            summary.put("sequence_length", sequenceLength);
            summary.put("heldout_loss", heldOutLoss);
            summary.put("heldout_perplexity", Math.exp(heldOutLoss));
            summary.put("seconds_this_session", (System.nanoTime() - started) / 1e9);
            AtomicFiles.writeJson(folder.resolve("summary.json"), summary);
            listener.say(String.format(Locale.ROOT, "held-out perplexity %.2f; model written to %s",
                    Math.exp(heldOutLoss), folder.resolve("model")));
            return new SupervisedRun.Outcome(folder, Optional.of(summary));
        }
    }

    private static int specialId(Settings settings, HfTokenizer tokenizer, String token) {
        return tokenizer.tokenId(token).orElseThrow(() -> settings.bad(PREFIX + "tokenizer.special-tokens",
                "the tokenizer has no single token '" + token + "' (list it there)"));
    }

    /** One more than the largest id in a {@code tokenizer.json} (vocabulary and added tokens). */
    static int vocabularySize(Path tokenizerJson) throws IOException {
        JsonNode root = JsonMapping.mapper().readTree(tokenizerJson.toFile());
        int largest = -1;
        for (JsonNode id : root.path("model").path("vocab")) {
            largest = Math.max(largest, id.asInt());
        }
        for (JsonNode added : root.path("added_tokens")) {
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

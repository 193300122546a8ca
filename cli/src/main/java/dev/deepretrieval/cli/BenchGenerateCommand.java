package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import dev.deepretrieval.policy.Gradients;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.generation.Generator;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ModelConfig;
import dev.deepretrieval.policy.scoring.ResponseScores;
import dev.deepretrieval.policy.scoring.Scorer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Generation tokens/s with the KV cache against recomputing the whole sequence every step (same model, same
 * prompts, greedy so both paths produce the same tokens), and scoring tokens/s with forward + backward.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generation tokens/s, KV cache vs full recompute, at batch 1/8/32 for 128 new tokens; and"
                + " scoring (forward + backward) tokens/s.",
        footer = ExitCode.HELP_FOOTER)
final class BenchGenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--model", paramLabel = "FOLDER|FILE.bin",
            description = "Measure this model instead of the configured random-weight one.")
    Path model;

    @Option(names = "--json", description = "Print the figures as one JSON object on the last line of stdout.")
    boolean json;

    @Override
    public Integer call() {
        Settings settings = new Settings(configOptions.load());
        String prefix = "deepretrieval.bench.generate.";
        List<Integer> batchSizes = settings.positiveInts(prefix + "batch-sizes");
        int promptTokens = settings.positiveInt(prefix + "prompt-tokens");
        int newTokens = settings.positiveInt(prefix + "new-tokens");
        int repetitions = settings.positiveInt(prefix + "repetitions");
        int scoringBatch = settings.positiveInt(prefix + "scoring-batch");
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager manager = NDManager.newBaseManager(PolicyLoader.device(settings.text("deepretrieval.policy.device")), "PyTorch")) {
            DecoderWeights weights = BenchModels.weights(settings, model, manager);
            String label = BenchModels.label(model);
            ModelConfig config = weights.config();
            DecoderLm lm = new DecoderLm(weights);
            Generator generator = new Generator(lm, ids -> "");
            out.printf(Locale.ROOT, "bench generate: %s (hidden %d, %d layers, %d/%d heads, vocab %d, %.2fM parameters),"
                            + " prompt %d + %d new tokens, greedy, median of %d%n",
                    label, config.hiddenSize(), config.numLayers(), config.numHeads(), config.numKeyValueHeads(),
                    config.vocabSize(), weights.parameterCount() / 1e6, promptTokens, newTokens, repetitions);
            out.printf(Locale.ROOT, "%-6s %14s %16s %8s%n", "batch", "KV cache tok/s", "recompute tok/s", "speedup");
            out.flush();
            ArrayNode rows = Json.object().arrayNode();
            SamplingSettings greedy = SamplingSettings.greedy(newTokens, java.util.Set.of());
            generator.generate(BenchModels.tokens(1, promptTokens, config.vocabSize(), 42), SamplingSettings.greedy(4, java.util.Set.of()));
            for (int batch : batchSizes) {
                List<int[]> prompts = BenchModels.tokens(batch, promptTokens, config.vocabSize(), 42);
                var cached = new ArrayList<Double>();
                var recomputed = new ArrayList<Double>();
                for (int r = 0; r < repetitions; r++) {
                    long start = System.nanoTime();
                    generator.generate(prompts, greedy);
                    cached.add(batch * (double) newTokens / ((System.nanoTime() - start) / 1e9));
                    start = System.nanoTime();
                    generator.generateWithoutCache(prompts, greedy);
                    recomputed.add(batch * (double) newTokens / ((System.nanoTime() - start) / 1e9));
                }
                double kv = ThroughputMeter.median(cached);
                double full = ThroughputMeter.median(recomputed);
                out.printf(Locale.ROOT, "%-6d %14.0f %16.0f %7.1fx%n", batch, kv, full, kv / full);
                out.flush();
                ObjectNode row = rows.addObject();
                row.put("batch", batch);
                row.put("kv_cache_tokens_per_s", kv);
                row.put("recompute_tokens_per_s", full);
                row.put("speedup", kv / full);
            }
            double scoring = scoringThroughput(lm, weights, scoringBatch, promptTokens, newTokens, repetitions);
            out.printf(Locale.ROOT, "scoring forward+backward: %.0f response tokens/s (batch %d, %d + %d tokens)%n",
                    scoring, scoringBatch, promptTokens, newTokens);
            if (json) {
                ObjectNode node = Json.object();
                node.put("benchmark", "generate");
                node.put("model", label);
                node.put("parameters", weights.parameterCount());
                node.set("generation", rows);
                node.put("scoring_tokens_per_s", scoring);
                out.println(Json.line(node));
            }
            out.flush();
        }
        return ExitCode.OK;
    }

    private static double scoringThroughput(DecoderLm lm, DecoderWeights weights, int batch, int promptTokens,
            int newTokens, int repetitions) {
        weights.parameters().values().forEach(p -> p.setRequiresGradient(true));
        Scorer scorer = new Scorer(lm);
        List<int[]> prompts = BenchModels.tokens(batch, promptTokens, lm.config().vocabSize(), 42);
        List<int[]> responses = BenchModels.tokens(batch, newTokens, lm.config().vocabSize(), 43);
        var rates = new ArrayList<Double>();
        for (int r = 0; r <= repetitions; r++) {
            long start = System.nanoTime();
            try (NDManager scope = weights.manager().newSubManager();
                    GradientCollector collector = Gradients.collector()) {
                ResponseScores scores = scorer.score(scope, prompts, responses, 1.0, null);
                collector.backward(scores.logProbs().sum().neg());
            }
            if (r > 0) { // the first round warms up
                rates.add(batch * (double) newTokens / ((System.nanoTime() - start) / 1e9));
            }
        }
        weights.parameters().values().forEach(p -> p.setRequiresGradient(false));
        return ThroughputMeter.median(rates);
    }
}

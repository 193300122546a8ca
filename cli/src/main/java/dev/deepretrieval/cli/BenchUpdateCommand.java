package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.rl.ActorUpdate;
import dev.deepretrieval.policy.rl.AdamW;
import dev.deepretrieval.policy.rl.ClippedPolicyLoss;
import dev.deepretrieval.policy.rl.LossAggregation;
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
 * One PPO actor update (forward with gradients, backward, AdamW step) against the bare forward pass of the same
 * batch, alternating, in one run.
 */
@Command(name = "update", mixinStandardHelpOptions = true,
        description = "Time per token of one PPO actor update (forward + backward + optimizer) against the bare"
                + " forward pass of the same batch.",
        footer = ExitCode.HELP_FOOTER)
final class BenchUpdateCommand implements Callable<Integer> {

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
        String prefix = "deepretrieval.bench.update.";
        int batch = settings.positiveInt(prefix + "batch");
        int promptTokens = settings.positiveInt(prefix + "prompt-tokens");
        int responseTokens = settings.positiveInt(prefix + "response-tokens");
        int repetitions = settings.positiveInt(prefix + "repetitions");
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager manager = NDManager.newBaseManager(PolicyLoader.device(settings.text("deepretrieval.policy.device")), "PyTorch")) {
            DecoderWeights weights = BenchModels.weights(settings, model, manager);
            DecoderLm lm = new DecoderLm(weights);
            int vocab = weights.config().vocabSize();
            List<int[]> prompts = BenchModels.tokens(batch, promptTokens, vocab, 42);
            List<int[]> responses = BenchModels.tokens(batch, responseTokens, vocab, 43);
            Scorer scorer = new Scorer(lm);
            List<float[]> oldLogProbs = scorer.scoreNoGrad(prompts, responses, 1.0, null).logProbs();
            List<float[]> advantages = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                float[] a = new float[responseTokens];
                java.util.Arrays.fill(a, b % 2 == 0 ? 1f : -1f);
                advantages.add(a);
            }
            weights.parameters().values().forEach(p -> p.setRequiresGradient(true));
            try (AdamW adam = new AdamW(weights.parameters(), manager, 0.9, 0.999, 1e-8, 0.01, 1.0)) {
                var update = new ActorUpdate(lm, adam, new ClippedPolicyLoss(0.2, 0.2, 3.0, LossAggregation.TOKEN_MEAN),
                        0.001, 1.0);
                var forward = new ArrayList<Double>();
                var full = new ArrayList<Double>();
                for (int r = 0; r <= repetitions; r++) {
                    long start = System.nanoTime();
                    scorer.scoreNoGrad(prompts, responses, 1.0, null);
                    long middle = System.nanoTime();
                    update.update(prompts, responses, oldLogProbs, advantages, 1, 1, 1, 1e-6);
                    long end = System.nanoTime();
                    if (r > 0) { // the first round warms up
                        forward.add((middle - start) / 1e6);
                        full.add((end - middle) / 1e6);
                    }
                }
                double tokens = batch * (double) (promptTokens + responseTokens);
                double forwardMs = ThroughputMeter.median(forward);
                double updateMs = ThroughputMeter.median(full);
                out.printf(Locale.ROOT, "bench update: %s (%.2fM parameters), batch %d x (%d + %d) tokens, median of %d%n",
                        BenchModels.label(model), weights.parameterCount() / 1e6, batch, promptTokens, responseTokens,
                        repetitions);
                out.printf(Locale.ROOT, "bare forward:            %8.1f ms  (%.1f µs/token)%n", forwardMs, 1000 * forwardMs / tokens);
                out.printf(Locale.ROOT, "PPO update (fwd+bwd+opt): %7.1f ms  (%.1f µs/token)  = %.2fx the forward%n",
                        updateMs, 1000 * updateMs / tokens, updateMs / forwardMs);
                if (json) {
                    ObjectNode node = Json.object();
                    node.put("benchmark", "update");
                    node.put("model", BenchModels.label(model));
                    node.put("parameters", weights.parameterCount());
                    node.put("tokens", tokens);
                    node.put("forward_ms", forwardMs);
                    node.put("update_ms", updateMs);
                    node.put("update_us_per_token", 1000 * updateMs / tokens);
                    node.put("ratio", updateMs / forwardMs);
                    out.println(Json.line(node));
                }
                out.flush();
            }
        }
        return ExitCode.OK;
    }
}

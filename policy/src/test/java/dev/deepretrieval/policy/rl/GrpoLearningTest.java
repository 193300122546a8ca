package dev.deepretrieval.policy.rl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.deepretrieval.policy.generation.GeneratedSequence;
import dev.deepretrieval.policy.generation.Generator;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * GRPO learns a verifiable reward: the fraction of generated tokens drawn from a target set of 4 of 32 tokens
 * (chance 0.125). A small seeded policy must reach a mean reward of at least 0.9 within a fixed number of updates.
 */
class GrpoLearningTest {

    private static final Set<Integer> TARGET = Set.of(5, 6, 7, 8);

    @Test
    void grpoRaisesTheRewardFromChanceToNinetyPercent() {
        var config = new ModelConfig(ModelConfig.LLAMA, 32, 64, 128, 2, 4, 2, 16, 1e-5, 10000.0, Optional.empty(), 256,
                true, false, false, Optional.of(1), List.of(2), Optional.of(0));
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                DecoderWeights weights = DecoderWeights.random(config, 17, manager)) {
            DecoderLm model = new DecoderLm(weights);
            weights.parameters().values().forEach(p -> p.setRequiresGradient(true));
            Generator generator = new Generator(model, ids -> "");
            try (AdamW adam = new AdamW(weights.parameters(), manager, 0.9, 0.999, 1e-8, 0.0, 1.0)) {
                var update = new ActorUpdate(model, adam,
                        new ClippedPolicyLoss(0.2, 0.2, 3.0, LossAggregation.TOKEN_MEAN), 0.0, 1.0);
                List<int[]> basePrompts = List.of(new int[] {1, 9}, new int[] {1, 10}, new int[] {1, 11}, new int[] {1, 12});
                int samplesPerPrompt = 8;
                double first = -1;
                double last = -1;
                int updates = 0;
                for (int step = 0; step < 40; step++) {
                    var prompts = new ArrayList<int[]>();
                    var groups = new ArrayList<String>();
                    for (int p = 0; p < basePrompts.size(); p++) {
                        for (int s = 0; s < samplesPerPrompt; s++) {
                            prompts.add(basePrompts.get(p));
                            groups.add("p" + p);
                        }
                    }
                    List<GeneratedSequence> rollouts = generator.generate(prompts,
                            SamplingSettings.sampling(1.0, 8, Set.of(), 1000L + step));
                    double[] scores = new double[prompts.size()];
                    int[] lengths = new int[prompts.size()];
                    var responses = new ArrayList<int[]>();
                    var oldLogProbs = new ArrayList<float[]>();
                    double mean = 0;
                    for (int i = 0; i < rollouts.size(); i++) {
                        int[] tokens = rollouts.get(i).tokens();
                        long hits = java.util.Arrays.stream(tokens).filter(TARGET::contains).count();
                        scores[i] = (double) hits / tokens.length;
                        mean += scores[i] / rollouts.size();
                        lengths[i] = tokens.length;
                        responses.add(tokens);
                        oldLogProbs.add(rollouts.get(i).logProbs());
                    }
                    if (step == 0) {
                        first = mean;
                    }
                    last = mean;
                    if (mean >= 0.9) {
                        break;
                    }
                    List<float[]> advantages = Advantages.grouped(scores, groups, lengths, Advantages.GroupBaseline.GRPO);
                    Map<String, Double> metrics = update.update(prompts, responses, oldLogProbs, advantages, 1, 2, 1, 1e-2);
                    updates++;
                    assertTrue(Double.isFinite(metrics.get("actor/pg_loss")));
                }
                assertTrue(first < 0.3, "starts near chance (0.125): " + first);
                assertTrue(last >= 0.9, "reaches 0.9 within 40 updates: " + last);
                assertTrue(updates <= 12, "seeded run reached 0.9 after 7 updates when written; took " + updates);
            }
        }
    }
}

package dev.deepretrieval.policy.rl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.deepretrieval.policy.generation.GeneratedSequence;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ModelConfig;
import dev.deepretrieval.policy.model.ValueHead;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole step (generate, reward, old log-prob, reference, values, advantages, actor and critic updates) learns
 * the verifiable reward in every configuration: PPO with a separate critic or a shared-trunk head, KL in the reward
 * (fixed or adaptive) or as a loss, and the group baselines.
 */
class RlTrainerTest {

    private static final ModelConfig CONFIG = new ModelConfig(ModelConfig.LLAMA, 32, 64, 128, 2, 4, 2, 16, 1e-5,
            10000.0, Optional.empty(), 256, true, false, false, Optional.of(1), List.of(2), Optional.of(0));
    private static final Set<Integer> TARGET = Set.of(5, 6, 7, 8);

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @CsvSource({
        "PPO, SEPARATE, REWARD_FIXED, K1",
        "PPO, SHARED_TRUNK, REWARD_ADAPTIVE, K1",
        "GRPO, SEPARATE, LOSS, K3",
        "DR_GRPO, SEPARATE, LOSS, K2",
        "RLOO, SEPARATE, NONE, K1"})
    void learnsTheVerifiableReward(RlSettings.Algorithm algorithm, RlSettings.CriticMode critic, RlSettings.KlMode kl,
            KlEstimator estimator) {
        boolean ppo = algorithm == RlSettings.Algorithm.PPO;
        var lr = new LearningRateSchedule(1e-2, 2, 40, LearningRateSchedule.Shape.CONSTANT, 0);
        var settings = new RlSettings(algorithm, ppo ? 1 : 8, 1.0, 1.0, 0.2, 0.2, 3.0, 0.5, 0.001, kl, estimator,
                0.001, 0.1, 1000, critic, 0.5, LossAggregation.TOKEN_MEAN, 1, 2, 1, 1.0, 8, Set.of(), lr, lr, 0.0, 1.0,
                RlSettings.DecisionObjective.SURROGATE);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                DecoderWeights actor = DecoderWeights.random(CONFIG, 17, manager);
                DecoderWeights criticWeights = DecoderWeights.random(CONFIG, 17, manager);
                DecoderWeights reference = DecoderWeights.random(CONFIG, 17, manager);
                ValueHead head = ValueHead.zeros(manager, CONFIG.hiddenSize());
                RlTrainer trainer = new RlTrainer(settings, actor, critic == RlSettings.CriticMode.SEPARATE ? criticWeights : null,
                        ppo ? head : null, kl == RlSettings.KlMode.NONE ? null : reference, manager)) {
            List<int[]> prompts = ppo
                    ? java.util.stream.IntStream.range(0, 32).mapToObj(i -> new int[] {1, 9 + i % 4}).toList()
                    : List.of(new int[] {1, 9}, new int[] {1, 10}, new int[] {1, 11}, new int[] {1, 12});
            List<String> ids = java.util.stream.IntStream.range(0, prompts.size()).mapToObj(i -> "p" + i).toList();
            double first = -1;
            double last = -1;
            Map<String, Double> metrics = Map.of();
            for (int step = 0; step < 30 && last < 0.9; step++) {
                RlTrainer.StepResult result = trainer.step(prompts, ids, RlTrainerTest::targetFraction, 500L + step);
                last = Arrays.stream(result.scores()).average().orElseThrow();
                if (step == 0) {
                    first = last;
                }
                metrics = result.metrics();
            }
            assertTrue(first < 0.3, "starts near chance (0.125): " + first);
            assertTrue(last >= 0.9, "reaches 0.9 within 30 steps: " + last);
            for (String key : List.of("actor/pg_loss", "actor/pg_clipfrac", "actor/ppo_kl", "actor/entropy",
                    "actor/grad_norm", "critic/score/mean", "critic/advantages/max", "timing_s/gen", "timing_s/reward",
                    "timing_s/old_log_prob", "timing_s/ref", "timing_s/values", "timing_s/adv",
                    "timing_s/update_actor", "timing_s/update_critic")) {
                assertTrue(metrics.containsKey(key) && Double.isFinite(metrics.get(key)), key + " in " + metrics.keySet());
            }
            if (ppo) {
                assertTrue(metrics.containsKey("critic/vf_loss") && metrics.containsKey("critic/returns/mean"));
            }
            if (kl == RlSettings.KlMode.LOSS) {
                assertTrue(metrics.containsKey("actor/kl_loss"));
            }
        }
    }

    /**
     * Word credit's per-decision advantages, followed by either objective: a choice with a positive effect becomes
     * more likely, one with a negative effect less (the token between them decided nothing and carries no loss).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"SURROGATE", "CROSS_ENTROPY"})
    void perDecisionAdvantagesMoveEachChoiceTheWayItsEffectSays(RlSettings.DecisionObjective objective) {
        var lr = new LearningRateSchedule(1e-2, 0, 10, LearningRateSchedule.Shape.CONSTANT, 0);
        var settings = new RlSettings(RlSettings.Algorithm.GRPO, 2, 1.0, 1.0, 0.2, 0.2, 3.0, 0.5, 0.0,
                RlSettings.KlMode.NONE, KlEstimator.K1, 0.0, 0.1, 1000, RlSettings.CriticMode.SEPARATE, 0.5,
                LossAggregation.TOKEN_MEAN, 1, 1, 1, 1.0, 8, Set.of(), lr, lr, 0.0, 1.0, objective);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                DecoderWeights actor = DecoderWeights.random(CONFIG, 23, manager);
                RlTrainer trainer = new RlTrainer(settings, actor, null, null, null, manager)) {
            List<int[]> prompts = List.of(new int[] {1, 9}, new int[] {1, 9});
            List<int[]> responses = List.of(new int[] {5, 6, 7}, new int[] {5, 6, 7});
            var scorer = new dev.deepretrieval.policy.scoring.Scorer(new dev.deepretrieval.policy.model.DecoderLm(actor));
            float[] before = scorer.scoreNoGrad(prompts.subList(0, 1), responses.subList(0, 1), 1.0, null)
                    .logProbs().getFirst();
            for (int step = 0; step < 5; step++) {
                List<float[]> old = scorer.scoreNoGrad(prompts, responses, 1.0, null).logProbs();
                // token 5 chose well (+1), token 7 badly (-1), token 6 decided nothing
                List<float[]> given = List.of(new float[] {1, 0, -1}, new float[] {1, 0, -1});
                trainer.learn(prompts, List.of("g", "g"), responses, new double[] {0.5, 0.5}, old, null, given);
            }
            float[] after = scorer.scoreNoGrad(prompts.subList(0, 1), responses.subList(0, 1), 1.0, null)
                    .logProbs().getFirst();
            assertTrue(after[0] > before[0] + 0.1, "the good choice became more likely: " + before[0] + " -> " + after[0]);
            assertTrue(after[2] < before[2] - 0.1, "the bad choice became less likely: " + before[2] + " -> " + after[2]);
        }
    }

    private static double[] targetFraction(List<int[]> prompts, List<GeneratedSequence> rollouts) {
        return rollouts.stream()
                .mapToDouble(r -> (double) Arrays.stream(r.tokens()).filter(TARGET::contains).count() / r.tokens().length)
                .toArray();
    }
}

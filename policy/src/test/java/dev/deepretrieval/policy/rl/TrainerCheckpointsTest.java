package dev.deepretrieval.policy.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.generation.GeneratedSequence;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ModelConfig;
import dev.deepretrieval.policy.model.ValueHead;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PPO with a separate critic: resuming from a checkpoint gives the same next update, actor and critic alike. */
class TrainerCheckpointsTest {

    private static final ModelConfig CONFIG = GrpoRun.CONFIG;

    @Test
    void resumedPpoRunRepeatsTheNextUpdateExactly(@TempDir Path dir) throws Exception {
        List<Map<String, Double>> reference = run(dir.resolve("reference"), 0, 4);
        Path resumable = dir.resolve("resumable");
        run(resumable, 0, 2); // writes checkpoints after steps 1 and 2
        List<Map<String, Double>> resumed = run(resumable, 2, 4);
        for (int i = 0; i < 2; i++) {
            for (String key : List.of("actor/pg_loss", "critic/vf_loss", "actor/entropy", "critic/values/mean")) {
                assertEquals(reference.get(2 + i).get(key), resumed.get(i).get(key), 1e-6, key + " at step " + (3 + i));
            }
        }
    }

    /** Runs steps [from, to) from the newest checkpoint in {@code dir} (fresh when none), checkpointing each step. */
    private static List<Map<String, Double>> run(Path dir, int from, int to) throws Exception {
        var lr = new LearningRateSchedule(1e-2, 2, 10, LearningRateSchedule.Shape.COSINE, 0.1);
        var settings = new RlSettings(RlSettings.Algorithm.PPO, 1, 1.0, 1.0, 0.2, 0.2, 3.0, 0.5, 0.001,
                RlSettings.KlMode.REWARD_ADAPTIVE, KlEstimator.K1, 0.001, 0.1, 1000, RlSettings.CriticMode.SEPARATE, 0.5,
                LossAggregation.TOKEN_MEAN, 2, 2, 1, 1.0, 6, Set.of(), lr, lr, 0.01, 1.0,
                RlSettings.DecisionObjective.SURROGATE);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                DecoderWeights actor = DecoderWeights.random(CONFIG, 5, manager);
                DecoderWeights critic = DecoderWeights.random(CONFIG, 5, manager);
                DecoderWeights reference = DecoderWeights.random(CONFIG, 5, manager);
                ValueHead head = ValueHead.zeros(manager, CONFIG.hiddenSize());
                RlTrainer trainer = new RlTrainer(settings, actor, critic, head, reference, manager)) {
            var checkpoints = new TrainerCheckpoints(new CheckpointStore(dir, 2), trainer, actor, critic, head);
            Optional<Checkpoint> restored = checkpoints.restoreLatest();
            assertEquals(from, restored.map(Checkpoint::step).orElse(0L));
            var metrics = new ArrayList<Map<String, Double>>();
            for (int step = from; step < to; step++) {
                var prompts = new ArrayList<int[]>();
                var ids = new ArrayList<String>();
                for (int i = 0; i < 16; i++) {
                    prompts.add(new int[] {1, 9 + (step + i) % 4}); // the cursor moves with the step
                    ids.add("p" + i);
                }
                RlTrainer.StepResult result = trainer.step(prompts, ids, TrainerCheckpointsTest::score, 7000L + step);
                metrics.add(result.metrics());
                ObjectNode state = new ObjectMapper().createObjectNode();
                state.put("data_cursor", step + 1);
                state.putObject("rng").put("next_rollout_seed", 7000L + step + 1);
                checkpoints.save(step + 1, state);
            }
            return metrics;
        }
    }

    private static double[] score(List<int[]> prompts, List<GeneratedSequence> rollouts) {
        return rollouts.stream().mapToDouble(r -> (double) Arrays.stream(r.tokens()).filter(t -> t < 10).count()
                / r.tokens().length).toArray();
    }
}

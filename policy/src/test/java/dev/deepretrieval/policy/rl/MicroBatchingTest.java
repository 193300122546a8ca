package dev.deepretrieval.policy.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ModelConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Splitting a mini-batch into micro-batches accumulates the same gradient (sequence-mean aggregation). */
class MicroBatchingTest {

    private static final ModelConfig CONFIG = new ModelConfig(ModelConfig.LLAMA, 32, 32, 64, 1, 2, 1, 16, 1e-5, 10000.0,
            Optional.empty(), 64, true, false, false, Optional.of(1), List.of(2), Optional.of(0));

    @Test
    void twoMicroBatchesGiveTheGradientOfOne() {
        List<int[]> prompts = List.of(new int[] {1, 4}, new int[] {1, 5, 6}, new int[] {1}, new int[] {1, 7});
        List<int[]> responses = List.of(new int[] {8, 9, 10}, new int[] {11}, new int[] {12, 13}, new int[] {14, 15});
        List<float[]> old = List.of(new float[] {-3.4f, -3.5f, -3.3f}, new float[] {-3.6f}, new float[] {-3.4f, -3.4f},
                new float[] {-3.5f, -3.3f});
        List<float[]> advantages = List.of(new float[] {1, 1, 1}, new float[] {-0.5f}, new float[] {0.3f, 0.3f},
                new float[] {-1, -1});
        Map<String, float[]> whole = firstMoments(prompts, responses, old, advantages, 1);
        Map<String, float[]> split = firstMoments(prompts, responses, old, advantages, 2);
        for (var entry : whole.entrySet()) {
            float[] a = entry.getValue();
            float[] b = split.get(entry.getKey());
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-7f + 1e-4f * Math.abs(a[i]), entry.getKey() + "[" + i + "]");
            }
        }
    }

    /** AdamW's first moment after one step is 0.1 × the gradient (no clipping): a window on the accumulated gradient. */
    private static Map<String, float[]> firstMoments(List<int[]> prompts, List<int[]> responses, List<float[]> old,
            List<float[]> advantages, int microBatches) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                DecoderWeights weights = DecoderWeights.random(CONFIG, 3, manager)) {
            weights.parameters().values().forEach(p -> p.setRequiresGradient(true));
            try (AdamW adam = new AdamW(weights.parameters(), manager, 0.9, 0.999, 1e-8, 0.0, 0.0)) {
                new ActorUpdate(new DecoderLm(weights), adam,
                        new ClippedPolicyLoss(0.2, 0.2, 3.0, LossAggregation.SEQ_MEAN_TOKEN_MEAN), 0.01, 1.0)
                        .update(prompts, responses, old, advantages, 1, 1, microBatches, 1e-3);
                var moments = new java.util.LinkedHashMap<String, float[]>();
                adam.firstMoments().forEach((name, m) -> moments.put(name, m.toFloatArray()));
                return moments;
            }
        }
    }
}

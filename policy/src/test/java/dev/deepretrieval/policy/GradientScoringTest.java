package dev.deepretrieval.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.deepretrieval.policy.model.ValueHead;
import dev.deepretrieval.policy.scoring.ResponseScores;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Scoring with gradients: the learner's forward pass reaches every parameter. */
class GradientScoringTest {

    @Test
    void logProbsAndValuesBackpropagateToTheParameters() {
        try (Policy policy = PolicyLoader.load(SharedModels.tinyRandomLlama(), Optional.empty(), Device.cpu());
                ValueHead head = policy.newValueHead()) {
            policy.weights().parameters().values().forEach(p -> p.setRequiresGradient(true));
            head.weight().setRequiresGradient(true);
            head.bias().setRequiresGradient(true);
            List<int[]> prompts = List.of(new int[] {3, 4, 5}, new int[] {6});
            List<int[]> responses = List.of(new int[] {7, 8}, new int[] {9, 10, 11});
            float noGradLogProb = policy.scorer().scoreNoGrad(prompts, responses, 1.0, head).logProbs().get(1)[2];
            try (NDManager scope = policy.weights().manager().newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                ResponseScores scores = policy.scorer().score(scope, prompts, responses, 1.0, head);
                assertEquals(noGradLogProb, scores.logProbs().toFloatArray()[5], 1e-5);
                assertEquals(0f, scores.logProbs().toFloatArray()[2], 0f, "padding is masked to 0");
                NDArray loss = scores.logProbs().sum().neg().add(scores.values().square().sum());
                collector.backward(loss);
            }
            for (var entry : policy.weights().parameters().entrySet()) {
                float norm = entry.getValue().getGradient().abs().sum().getFloat();
                assertTrue(norm > 0, "no gradient reached " + entry.getKey());
            }
            assertTrue(head.bias().getGradient().abs().sum().getFloat() == 0f,
                    "values are 0, so the value loss has zero gradient at the bias");
        }
    }
}

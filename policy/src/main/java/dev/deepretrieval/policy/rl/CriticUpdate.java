package dev.deepretrieval.policy.rl;

import dev.deepretrieval.policy.Gradients;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.ValueHead;
import dev.deepretrieval.policy.scoring.ResponseScores;
import dev.deepretrieval.policy.scoring.Scorer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The critic half of a PPO update: a value model (its own decoder weights plus a {@link ValueHead}, as the paper
 * initialises the critic from the policy) regressed on the GAE returns with the clipped value loss.
 */
public final class CriticUpdate {

    private final DecoderLm critic;
    private final ValueHead head;
    private final AdamW optimizer;
    private final ClippedValueLoss valueLoss;

    public CriticUpdate(DecoderLm critic, ValueHead head, AdamW optimizer, ClippedValueLoss valueLoss) {
        this.critic = critic;
        this.head = head;
        this.optimizer = optimizer;
        this.valueLoss = valueLoss;
    }

    /** Values of every response token under the current critic, without gradients. */
    public List<float[]> values(List<int[]> prompts, List<int[]> responses) {
        return new Scorer(critic).scoreNoGrad(prompts, responses, 1.0, head).values();
    }

    /**
     * Runs the update; returns {@code critic/vf_loss}, {@code critic/vf_clipfrac}, {@code critic/grad_norm} and
     * {@code critic/lr} averaged over the optimizer steps.
     */
    public Map<String, Double> update(List<int[]> prompts, List<int[]> responses, List<float[]> oldValues,
            List<float[]> returns, int epochs, int miniBatches, double learningRate) {
        Scorer scorer = new Scorer(critic);
        Map<String, Double> means = MiniBatches.run(prompts.size(), epochs, miniBatches, (from, to) -> {
            var metrics = new LinkedHashMap<String, Double>();
            try (NDManager scope = critic.weights().manager().newSubManager();
                    GradientCollector collector = Gradients.collector()) {
                ResponseScores scores = scorer.score(scope, prompts.subList(from, to), responses.subList(from, to),
                        1.0, head);
                Shape shape = scores.mask().getShape();
                ClippedValueLoss.Result result = valueLoss.compute(scores.values(),
                        PaddedRows.of(scope, oldValues.subList(from, to), shape),
                        PaddedRows.of(scope, returns.subList(from, to), shape), scores.mask());
                collector.backward(result.loss());
                metrics.put("critic/vf_loss", (double) result.loss().getFloat());
                metrics.put("critic/vf_clipfrac", (double) result.clipFraction().getFloat());
            }
            metrics.put("critic/grad_norm", optimizer.step(learningRate));
            return metrics;
        });
        means.put("critic/lr", learningRate);
        return means;
    }
}

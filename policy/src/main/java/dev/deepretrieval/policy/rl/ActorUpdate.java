package dev.deepretrieval.policy.rl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.scoring.ResponseScores;
import dev.deepretrieval.policy.scoring.Scorer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The actor half of a PPO/GRPO update: for {@code epochs} passes over the batch in {@code miniBatches} slices, the
 * clipped surrogate minus the entropy bonus, one optimizer step per slice. A slice can be split into
 * {@code microBatches} forward/backward passes whose gradients accumulate (each loss weighted by its share of the
 * slice's sequences, as verl does), bounding activation memory. Advantages and old log-probs come from the rollout
 * and carry no gradient.
 */
public final class ActorUpdate {

    private final DecoderLm model;
    private final AdamW optimizer;
    private final ClippedPolicyLoss policyLoss;
    private final double entropyCoefficient;
    private final double temperature;

    public ActorUpdate(DecoderLm model, AdamW optimizer, ClippedPolicyLoss policyLoss, double entropyCoefficient,
            double temperature) {
        this.model = model;
        this.optimizer = optimizer;
        this.policyLoss = policyLoss;
        this.entropyCoefficient = entropyCoefficient;
        this.temperature = temperature;
    }

    /**
     * Runs the update and returns verl-named metrics averaged over the optimizer steps: {@code actor/pg_loss},
     * {@code actor/pg_clipfrac}, {@code actor/pg_clipfrac_lower}, {@code actor/ppo_kl}, {@code actor/entropy},
     * {@code actor/grad_norm}, {@code actor/ratio_mean}, {@code actor/lr}.
     */
    public Map<String, Double> update(List<int[]> prompts, List<int[]> responses, List<float[]> oldLogProbs,
            List<float[]> advantages, int epochs, int miniBatches, int microBatches, double learningRate) {
        int n = prompts.size();
        if (responses.size() != n || oldLogProbs.size() != n || advantages.size() != n) {
            throw new IllegalArgumentException("prompts, responses, old log-probs and advantages must align");
        }
        if (miniBatches < 1 || miniBatches > n || epochs < 1 || microBatches < 1 || microBatches * miniBatches > n) {
            throw new IllegalArgumentException("need epochs >= 1 and 1 <= mini-batches x micro-batches <= batch");
        }
        Scorer scorer = new Scorer(model);
        var sums = new LinkedHashMap<String, Double>();
        int updates = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int slice = 0; slice < miniBatches; slice++) {
                int from = slice * n / miniBatches;
                int to = (slice + 1) * n / miniBatches;
                var metrics = new LinkedHashMap<String, Double>();
                for (int micro = 0; micro < microBatches; micro++) {
                    int microFrom = from + micro * (to - from) / microBatches;
                    int microTo = from + (micro + 1) * (to - from) / microBatches;
                    double weight = (double) (microTo - microFrom) / (to - from);
                    try (NDManager scope = model.weights().manager().newSubManager();
                            GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        ResponseScores scores = scorer.score(scope, prompts.subList(microFrom, microTo),
                                responses.subList(microFrom, microTo), temperature, null);
                        Shape shape = scores.mask().getShape();
                        NDArray old = PaddedRows.of(scope, oldLogProbs.subList(microFrom, microTo), shape);
                        NDArray adv = PaddedRows.of(scope, advantages.subList(microFrom, microTo), shape);
                        ClippedPolicyLoss.Result result = policyLoss.compute(scores.logProbs(), old, adv, scores.mask());
                        NDArray entropy = policyLoss.aggregation().aggregate(scores.entropies(), scores.mask());
                        NDArray loss = result.loss().sub(entropy.mul((float) entropyCoefficient)).mul((float) weight);
                        collector.backward(loss);
                        metrics.merge("actor/pg_loss", weight * result.loss().getFloat(), Double::sum);
                        metrics.merge("actor/pg_clipfrac", weight * result.clipFraction().getFloat(), Double::sum);
                        metrics.merge("actor/pg_clipfrac_lower", weight * result.dualClipFraction().getFloat(), Double::sum);
                        metrics.merge("actor/ppo_kl", weight * result.approxKl().getFloat(), Double::sum);
                        metrics.merge("actor/ratio_mean", weight * result.ratio().getFloat(), Double::sum);
                        metrics.merge("actor/entropy", weight * entropy.getFloat(), Double::sum);
                    }
                }
                double norm = optimizer.step(learningRate);
                metrics.forEach((k, v) -> sums.merge(k, v, Double::sum));
                sums.merge("actor/grad_norm", norm, Double::sum);
                updates++;
            }
        }
        var means = new LinkedHashMap<String, Double>();
        for (var entry : sums.entrySet()) {
            means.put(entry.getKey(), entry.getValue() / updates);
        }
        means.put("actor/lr", learningRate);
        return means;
    }
}

package dev.deepretrieval.policy.rl;

import dev.deepretrieval.policy.Gradients;
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
    private final ActorLoss objective;
    private final double temperature;

    public ActorUpdate(DecoderLm model, AdamW optimizer, ActorLoss objective, double temperature) {
        this.model = model;
        this.optimizer = optimizer;
        this.objective = objective;
        this.temperature = temperature;
    }

    /** The surrogate with an entropy bonus only. */
    public ActorUpdate(DecoderLm model, AdamW optimizer, ClippedPolicyLoss policyLoss, double entropyCoefficient,
            double temperature) {
        this(model, optimizer, ActorLoss.surrogate(policyLoss, entropyCoefficient), temperature);
    }

    /**
     * Runs the update and returns verl-named metrics averaged over the optimizer steps: {@code actor/pg_loss},
     * {@code actor/pg_clipfrac}, {@code actor/pg_clipfrac_lower}, {@code actor/ppo_kl}, {@code actor/entropy},
     * {@code actor/grad_norm}, {@code actor/ratio_mean}, {@code actor/lr}.
     */
    public Map<String, Double> update(List<int[]> prompts, List<int[]> responses, List<float[]> oldLogProbs,
            List<float[]> advantages, int epochs, int miniBatches, int microBatches, double learningRate) {
        return update(ActorBatch.of(prompts, responses, oldLogProbs, advantages), epochs, miniBatches, microBatches,
                learningRate);
    }

    /**
     * As above for a full batch; with a KL term also {@code actor/kl_loss}, with a shared value head also
     * {@code critic/vf_loss} and {@code critic/vf_clipfrac}.
     */
    public Map<String, Double> update(ActorBatch batch, int epochs, int miniBatches, int microBatches,
            double learningRate) {
        int n = batch.size();
        if (objective.klEstimator() != null && batch.referenceLogProbs() == null) {
            throw new IllegalArgumentException("a KL loss term needs reference log-probs");
        }
        if (objective.sharedValueHead() != null && (batch.oldValues() == null || batch.returns() == null)) {
            throw new IllegalArgumentException("a shared value head needs old values and returns");
        }
        if (microBatches < 1 || microBatches * miniBatches > n) {
            throw new IllegalArgumentException("need 1 <= mini-batches x micro-batches <= batch");
        }
        Map<String, Double> means = MiniBatches.run(n, epochs, miniBatches, (from, to) -> {
            var metrics = new LinkedHashMap<String, Double>();
            for (int part = 0; part < microBatches; part++) {
                int microFrom = from + part * (to - from) / microBatches;
                int microTo = from + (part + 1) * (to - from) / microBatches;
                double weight = (double) (microTo - microFrom) / (to - from);
                try (NDManager scope = model.weights().manager().newSubManager();
                        GradientCollector collector = Gradients.collector()) {
                    accumulate(scope, collector, batch.slice(microFrom, microTo), weight, metrics);
                }
            }
            int skippedBefore = optimizer.skippedSteps();
            double norm = optimizer.step(learningRate);
            // a dropped non-finite step reports its norm as 0 and says so, so means over steps stay finite
            metrics.put("actor/grad_norm", Double.isFinite(norm) ? norm : 0.0);
            metrics.put("actor/skipped_nonfinite", (double) (optimizer.skippedSteps() - skippedBefore));
            return metrics;
        });
        means.put("actor/lr", learningRate);
        return means;
    }

    private void accumulate(NDManager scope, GradientCollector collector, ActorBatch micro, double weight,
            Map<String, Double> metrics) {
        ResponseScores scores = new Scorer(model).score(scope, micro.prompts(), micro.responses(), temperature,
                objective.sharedValueHead(), micro.allowedTokens());
        Shape shape = scores.mask().getShape();
        NDArray mask = scores.mask();
        NDArray old = PaddedRows.of(scope, micro.oldLogProbs(), shape);
        NDArray adv = PaddedRows.of(scope, micro.advantages(), shape);
        ClippedPolicyLoss.Result result = objective.policy().compute(scores.logProbs(), old, adv, mask);
        LossAggregation aggregation = objective.policy().aggregation();
        NDArray entropy = aggregation.aggregate(scores.entropies(), mask);
        NDArray policyLoss = objective.decisions() == null ? result.loss()
                : objective.decisions().compute(scores.logProbs(), adv, mask);
        NDArray loss = policyLoss.sub(entropy.mul((float) objective.entropyCoefficient()));
        if (objective.klEstimator() != null) {
            NDArray reference = PaddedRows.of(scope, micro.referenceLogProbs(), shape);
            NDArray kl = aggregation.aggregate(objective.klEstimator().estimate(scores.logProbs(), reference), mask);
            loss = loss.add(kl.mul((float) objective.klCoefficient()));
            metrics.merge("actor/kl_loss", weight * kl.getFloat(), Double::sum);
        }
        if (objective.sharedValueHead() != null) {
            ClippedValueLoss.Result value = objective.valueLoss().compute(scores.values(),
                    PaddedRows.of(scope, micro.oldValues(), shape), PaddedRows.of(scope, micro.returns(), shape), mask);
            loss = loss.add(value.loss().mul((float) objective.valueCoefficient()));
            metrics.merge("critic/vf_loss", weight * value.loss().getFloat(), Double::sum);
            metrics.merge("critic/vf_clipfrac", weight * value.clipFraction().getFloat(), Double::sum);
        }
        collector.backward(loss.mul((float) weight));
        metrics.merge("actor/pg_loss", weight * policyLoss.getFloat(), Double::sum);
        metrics.merge("actor/pg_clipfrac", weight * result.clipFraction().getFloat(), Double::sum);
        metrics.merge("actor/pg_clipfrac_lower", weight * result.dualClipFraction().getFloat(), Double::sum);
        metrics.merge("actor/ppo_kl", weight * result.approxKl().getFloat(), Double::sum);
        metrics.merge("actor/ratio_mean", weight * result.ratio().getFloat(), Double::sum);
        metrics.merge("actor/entropy", weight * entropy.getFloat(), Double::sum);
    }
}

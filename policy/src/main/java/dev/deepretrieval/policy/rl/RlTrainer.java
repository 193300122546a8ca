package dev.deepretrieval.policy.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.deepretrieval.policy.generation.GeneratedSequence;
import dev.deepretrieval.policy.generation.Generator;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ValueHead;
import dev.deepretrieval.policy.scoring.ScoredTokens;
import dev.deepretrieval.policy.scoring.Scorer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One synchronous RL step over a batch of prompts, in the phases verl times: generate, reward, old log-prob,
 * reference, values, advantages, update actor, update critic. The training service drives the same phases through
 * actors; this class is the reference loop, used by tests and {@code bench update}.
 *
 * <p>Owns the optimizers (and the critic's optimizer when the critic is separate); not the weights.
 */
public final class RlTrainer implements AutoCloseable {

    /** Scores a batch of rollouts: one scalar reward per rollout. */
    @FunctionalInterface
    public interface RewardFunction {
        double[] score(List<int[]> prompts, List<GeneratedSequence> rollouts);
    }

    /** What a step produced. */
    public record StepResult(Map<String, Double> metrics, List<GeneratedSequence> rollouts, double[] scores) {}

    private final RlSettings settings;
    private final DecoderLm actor;
    private final DecoderLm critic;
    private final DecoderLm reference;
    private final ValueHead valueHead;
    private final AdamW actorOptimizer;
    private final AdamW criticOptimizer;
    private final ActorUpdate actorUpdate;
    private final ActorUpdate decisionUpdate; // per-decision advantages (word credit); actorUpdate unless cross-entropy
    private final CriticUpdate criticUpdate;
    private final AdaptiveKlController klController;
    private int updates;

    /**
     * @param critic the separate critic's weights (PPO with {@code SEPARATE}); null otherwise
     * @param valueHead the value head (PPO); null for group-baseline algorithms
     * @param reference the frozen reference policy; null when {@code klMode} is NONE
     */
    public RlTrainer(RlSettings settings, DecoderWeights actor, DecoderWeights critic, ValueHead valueHead,
            DecoderWeights reference, NDManager manager) {
        this.settings = settings;
        boolean ppo = settings.algorithm().usesCritic();
        boolean shared = ppo && settings.criticMode() == RlSettings.CriticMode.SHARED_TRUNK;
        if (ppo && valueHead == null) {
            throw new IllegalArgumentException("PPO needs a value head");
        }
        if (ppo && !shared && critic == null) {
            throw new IllegalArgumentException("PPO with a separate critic needs the critic's weights");
        }
        if (settings.klMode() != RlSettings.KlMode.NONE && reference == null) {
            throw new IllegalArgumentException("a KL penalty needs the reference policy");
        }
        this.actor = new DecoderLm(actor);
        this.critic = ppo && !shared ? new DecoderLm(critic) : null;
        this.reference = reference == null ? null : new DecoderLm(reference);
        this.valueHead = valueHead;
        actor.parameters().values().forEach(p -> p.setRequiresGradient(true));
        var actorParameters = new LinkedHashMap<>(actor.parameters());
        if (shared) {
            actorParameters.putAll(headParameters(valueHead));
        }
        this.actorOptimizer = new AdamW(actorParameters, manager, 0.9, 0.999, 1e-8, settings.weightDecay(),
                settings.maxGradNorm());
        var policyLoss = new ClippedPolicyLoss(settings.clipLow(), settings.clipHigh(), settings.dualClip(),
                settings.aggregation());
        var valueLoss = new ClippedValueLoss(settings.valueClip(), settings.aggregation());
        boolean klLoss = settings.klMode() == RlSettings.KlMode.LOSS;
        var actorLoss = new ActorLoss(policyLoss, settings.entropyCoefficient(), klLoss ? settings.klEstimator() : null,
                settings.klCoefficient(), shared ? valueHead : null, shared ? valueLoss : null,
                settings.valueCoefficient(), null);
        this.actorUpdate = new ActorUpdate(this.actor, actorOptimizer, actorLoss, settings.temperature());
        this.decisionUpdate = settings.decisionObjective() == RlSettings.DecisionObjective.CROSS_ENTROPY
                ? new ActorUpdate(this.actor, actorOptimizer,
                        actorLoss.withDecisions(new DecisionCrossEntropy(settings.aggregation())), settings.temperature())
                : actorUpdate;
        if (this.critic != null) {
            critic.parameters().values().forEach(p -> p.setRequiresGradient(true));
            var criticParameters = new LinkedHashMap<>(critic.parameters());
            criticParameters.putAll(headParameters(valueHead));
            this.criticOptimizer = new AdamW(criticParameters, manager, 0.9, 0.999, 1e-8, settings.weightDecay(),
                    settings.maxGradNorm());
            this.criticUpdate = new CriticUpdate(this.critic, valueHead, criticOptimizer, valueLoss);
        } else {
            this.criticOptimizer = null;
            this.criticUpdate = null;
        }
        this.klController = settings.klMode() == RlSettings.KlMode.REWARD_ADAPTIVE
                ? new AdaptiveKlController(settings.klCoefficient(), settings.klTarget(), settings.klHorizon()) : null;
    }

    private static Map<String, NDArray> headParameters(ValueHead head) {
        head.weight().setRequiresGradient(true);
        head.bias().setRequiresGradient(true);
        return Map.of(ValueHead.WEIGHT, head.weight(), ValueHead.BIAS, head.bias());
    }

    /**
     * Runs one step: every prompt is sampled {@code samplesPerPrompt} times.
     *
     * @param promptIds identifies each prompt (its group for group baselines)
     * @param seed the sampling seed of this step
     */
    public StepResult step(List<int[]> prompts, List<String> promptIds, RewardFunction reward, long seed) {
        var expanded = new ArrayList<int[]>();
        var groups = new ArrayList<String>();
        for (int i = 0; i < prompts.size(); i++) {
            for (int s = 0; s < settings.samplesPerPrompt(); s++) {
                expanded.add(prompts.get(i));
                groups.add(promptIds.get(i));
            }
        }
        long t0 = System.nanoTime();
        List<GeneratedSequence> rollouts = new Generator(actor, ids -> "").generate(expanded, new SamplingSettings(
                false, settings.temperature(), 1.0, 0, settings.maxNewTokens(), settings.stopTokenIds(), List.of(), seed));
        long t1 = System.nanoTime();
        double[] scores = reward.score(expanded, rollouts);
        long t2 = System.nanoTime();
        var metrics = new LinkedHashMap<String, Double>();
        metrics.putAll(learn(expanded, groups, rollouts.stream().map(GeneratedSequence::tokens).toList(), scores));
        metrics.put("timing_s/gen", (t1 - t0) / 1e9);
        metrics.put("timing_s/reward", (t2 - t1) / 1e9);
        metrics.put("timing_s/step", (System.nanoTime() - t0) / 1e9);
        return new StepResult(metrics, rollouts, scores);
    }

    /**
     * The learner's half of a step, for rollouts generated and scored elsewhere: old log-probs, reference, values,
     * advantages, actor and critic updates. Each entry is one scored rollout; {@code groups} name the prompt each
     * came from (the group of group baselines).
     *
     * @return verl-named metrics, with {@code timing_s/*} for the learner's phases
     */
    public Map<String, Double> learn(List<int[]> expanded, List<String> groups, List<int[]> responses,
            double[] scores) {
        return learn(expanded, groups, responses, scores, null);
    }

    /**
     * As {@link #learn(List, List, List, double[])}; {@code behaviourLogProbs}, when given, are the response tokens'
     * log-probs under the policy that sampled them (the sampler's own), used as the PPO ratio's old log-probs instead
     * of a forward pass recomputing them (not with a shared-trunk critic, whose values come from that pass).
     */
    public Map<String, Double> learn(List<int[]> expanded, List<String> groups, List<int[]> responses,
            double[] scores, List<float[]> behaviourLogProbs) {
        return learn(expanded, groups, responses, scores, behaviourLogProbs, null);
    }

    /**
     * As {@link #learn(List, List, List, double[], List)} for a constrained policy: {@code allowedTokens} holds per
     * response each token's allowed tokens, and every log-prob (old, reference, new) and the entropy are those of the
     * model renormalised over them (see {@link dev.deepretrieval.policy.generation.TokenConstraint#definesPolicy()}).
     */
    public Map<String, Double> learn(List<int[]> expanded, List<String> groups, List<int[]> responses,
            double[] scores, List<float[]> behaviourLogProbs, List<int[][]> allowedTokens) {
        return learn(expanded, groups, responses, scores, behaviourLogProbs, allowedTokens, null);
    }

    /**
     * As {@link #learn(List, List, List, double[], List, List)} with advantages given per token
     * ({@link Advantages#perDecision}: each choice credited with its own measured effect) instead of estimated from
     * the scores; the scores are then only reported. Not with PPO, whose advantages come from its critic.
     */
    public Map<String, Double> learn(List<int[]> expanded, List<String> groups, List<int[]> responses,
            double[] scores, List<float[]> behaviourLogProbs, List<int[][]> allowedTokens,
            List<float[]> givenAdvantages) {
        if (givenAdvantages != null && settings.algorithm().usesCritic()) {
            throw new IllegalArgumentException("per-decision advantages replace the critic's; use a group algorithm");
        }
        if (expanded.isEmpty() || expanded.size() != groups.size() || expanded.size() != responses.size()
                || expanded.size() != scores.length) {
            throw new IllegalArgumentException("need one group, response and score per prompt, and at least one");
        }
        var metrics = new LinkedHashMap<String, Double>();
        long t2 = System.nanoTime();
        boolean sharedTrunk = settings.criticMode() == RlSettings.CriticMode.SHARED_TRUNK
                && settings.algorithm().usesCritic();
        boolean reuse = behaviourLogProbs != null && !sharedTrunk;
        if (reuse) {
            for (int i = 0; i < responses.size(); i++) {
                if (behaviourLogProbs.get(i).length != responses.get(i).length) {
                    throw new IllegalArgumentException("rollout " + i + " has " + behaviourLogProbs.get(i).length
                            + " log-probs for " + responses.get(i).length + " tokens");
                }
            }
        }
        ScoredTokens old = reuse ? new ScoredTokens(behaviourLogProbs, null, null)
                : new Scorer(actor).scoreNoGrad(expanded, responses, settings.temperature(),
                        settings.criticMode() == RlSettings.CriticMode.SHARED_TRUNK ? valueHead : null, allowedTokens);
        metrics.put("actor/old_log_prob_from_rollout", reuse ? 1.0 : 0.0);
        long t3 = System.nanoTime();
        List<float[]> referenceLogProbs = null;
        List<float[]> tokenKl = zeros(responses);
        if (reference != null) {
            referenceLogProbs = new Scorer(reference).scoreNoGrad(expanded, responses, settings.temperature(), null,
                    allowedTokens).logProbs();
            tokenKl = klPerToken(old.logProbs(), referenceLogProbs);
        }
        long t4 = System.nanoTime();
        List<float[]> values = null;
        if (settings.algorithm().usesCritic()) {
            values = critic != null ? criticUpdate.values(expanded, responses) : old.values();
        }
        long t5 = System.nanoTime();
        List<float[]> advantages;
        List<float[]> returns = null;
        double beta = klController != null ? klController.coefficient() : settings.klCoefficient();
        boolean klInReward = settings.klMode() == RlSettings.KlMode.REWARD_FIXED
                || settings.klMode() == RlSettings.KlMode.REWARD_ADAPTIVE;
        List<float[]> tokenRewards = Advantages.tokenRewards(scores, tokenKl, klInReward ? beta : 0.0);
        if (settings.algorithm().usesCritic()) {
            Advantages.Estimate estimate = Advantages.gae(tokenRewards, values, settings.gamma(), settings.lambda());
            advantages = Advantages.whiten(estimate.advantages());
            returns = estimate.returns();
        } else if (givenAdvantages != null) {
            advantages = givenAdvantages;
        } else {
            int[] lengths = responses.stream().mapToInt(r -> r.length).toArray();
            advantages = Advantages.grouped(scores, groups, lengths, settings.algorithm().baseline());
        }
        long t6 = System.nanoTime();
        boolean shared = settings.algorithm().usesCritic() && critic == null;
        var batch = new ActorBatch(expanded, responses, old.logProbs(), advantages, referenceLogProbs,
                shared ? values : null, shared ? returns : null, allowedTokens);
        if (onlySurrogate(shared)) {
            // a response whose every advantage is zero (a group whose samples all scored alike) adds nothing to the
            // surrogate: it is left out of the update (as DAPO's dynamic sampling), and a step with none left takes
            // no optimizer step (Adam's moments would still move the weights)
            batch = batch.withSignal();
        }
        metrics.put("actor/responses_updated", (double) batch.size());
        if (batch.size() > 0) {
            int miniBatches = Math.min(settings.miniBatches(), batch.size());
            int microBatches = Math.min(settings.microBatches(), batch.size() / miniBatches);
            ActorUpdate update = givenAdvantages != null ? decisionUpdate : actorUpdate;
            metrics.putAll(update.update(batch, settings.epochs(), miniBatches, microBatches,
                    settings.actorLearningRate().at(updates)));
        }
        long t7 = System.nanoTime();
        if (criticUpdate != null) {
            metrics.putAll(criticUpdate.update(expanded, responses, values, returns, settings.epochs(),
                    settings.miniBatches(), settings.criticLearningRate().at(updates)));
        }
        long t8 = System.nanoTime();
        double meanKl = mean(tokenKl);
        if (klController != null) {
            klController.update(meanKl, expanded.size());
        }
        updates++;
        metrics.put("actor/reward_kl_penalty", klInReward ? meanKl : 0.0);
        metrics.put("actor/reward_kl_penalty_coeff", klInReward ? beta : 0.0);
        statistics(metrics, "critic/score", toRows(scores));
        statistics(metrics, "critic/rewards", sequenceSums(tokenRewards));
        statistics(metrics, "critic/advantages", advantages);
        if (returns != null) {
            statistics(metrics, "critic/returns", returns);
            statistics(metrics, "critic/values", values);
        }
        metrics.put("response_length/mean", responses.stream().mapToInt(r -> r.length).average().orElse(0));
        metrics.put("timing_s/old_log_prob", (t3 - t2) / 1e9);
        metrics.put("timing_s/ref", (t4 - t3) / 1e9);
        metrics.put("timing_s/values", (t5 - t4) / 1e9);
        metrics.put("timing_s/adv", (t6 - t5) / 1e9);
        metrics.put("timing_s/update_actor", (t7 - t6) / 1e9);
        metrics.put("timing_s/update_critic", (t8 - t7) / 1e9);
        metrics.put("timing_s/learn", (t8 - t2) / 1e9);
        return metrics;
    }

    /** The actor's optimizer (for checkpoints). */
    public AdamW actorOptimizer() {
        return actorOptimizer;
    }

    /** The separate critic's optimizer, or null. */
    public AdamW criticOptimizer() {
        return criticOptimizer;
    }

    /** Updates applied so far (drives the learning-rate schedules). */
    public int updates() {
        return updates;
    }

    /** Sets the update count when resuming. */
    public void restoreUpdates(int count) {
        updates = count;
    }

    /** The adaptive KL coefficient, when the KL controller is adaptive. */
    public Optional<Double> adaptiveKlCoefficient() {
        return klController == null ? Optional.empty() : Optional.of(klController.coefficient());
    }

    /** Restores the adaptive KL coefficient when resuming (ignored for a fixed coefficient). */
    public void restoreAdaptiveKlCoefficient(double value) {
        if (klController != null) {
            klController.restore(value);
        }
    }

    private List<float[]> klPerToken(List<float[]> logProbs, List<float[]> referenceLogProbs) {
        KlEstimator estimator = settings.klMode() == RlSettings.KlMode.LOSS ? settings.klEstimator() : KlEstimator.K1;
        var out = new ArrayList<float[]>();
        for (int b = 0; b < logProbs.size(); b++) {
            float[] lp = logProbs.get(b);
            float[] ref = referenceLogProbs.get(b);
            float[] kl = new float[lp.length];
            for (int t = 0; t < kl.length; t++) {
                kl[t] = (float) estimator.estimate(lp[t], ref[t]);
            }
            out.add(kl);
        }
        return out;
    }

    /** Whether the actor's loss is the clipped surrogate alone (no entropy bonus, KL loss or value head on it). */
    private boolean onlySurrogate(boolean sharedCritic) {
        return settings.entropyCoefficient() == 0 && settings.klMode() != RlSettings.KlMode.LOSS && !sharedCritic;
    }

    private static List<float[]> zeros(List<int[]> responses) {
        return responses.stream().map(r -> new float[r.length]).toList();
    }

    private static List<float[]> toRows(double[] values) {
        var rows = new ArrayList<float[]>();
        for (double v : values) {
            rows.add(new float[] {(float) v});
        }
        return rows;
    }

    private static List<float[]> sequenceSums(List<float[]> tokens) {
        var rows = new ArrayList<float[]>();
        for (float[] t : tokens) {
            double sum = 0;
            for (float x : t) {
                sum += x;
            }
            rows.add(new float[] {(float) sum});
        }
        return rows;
    }

    private static double mean(List<float[]> rows) {
        double sum = 0;
        long count = 0;
        for (float[] row : rows) {
            for (float x : row) {
                sum += x;
                count++;
            }
        }
        return count == 0 ? 0 : sum / count;
    }

    /** {@code <prefix>/mean}, {@code /max} and {@code /min} over every entry, as verl reports them. */
    private static void statistics(Map<String, Double> metrics, String prefix, List<float[]> rows) {
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (float[] row : rows) {
            for (float x : row) {
                max = Math.max(max, x);
                min = Math.min(min, x);
            }
        }
        metrics.put(prefix + "/mean", mean(rows));
        metrics.put(prefix + "/max", rows.isEmpty() ? 0 : max);
        metrics.put(prefix + "/min", rows.isEmpty() ? 0 : min);
    }

    @Override
    public void close() {
        actorOptimizer.close();
        if (criticOptimizer != null) {
            criticOptimizer.close();
        }
    }
}

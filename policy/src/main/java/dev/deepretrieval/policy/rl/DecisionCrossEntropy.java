package dev.deepretrieval.policy.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * Per-decision advantages followed as a classification toward the better side of each choice: a token whose own
 * measured effect {@code e} (the reward with the choice as made minus with it gone the other way) is positive has its
 * probability raised, {@code −e · log π(token)}; one whose effect is negative has the rest of the choice's mass
 * raised, {@code |e| · −log(1 − π(token))} (for a choice between two tokens, the other one's log-prob). Tokens with
 * no effect carry no loss.
 *
 * <p>Against the surrogate ({@code −e · log π}, a policy gradient), the gradient on the logit of a choice the policy
 * gets right is the same, {@code |e| · (1 − π(better))}, and on one it gets wrong it is that of the better side too,
 * where the surrogate, following the sampled token, pushes by {@code |e| · π(worse)} on the sampled worse side only:
 * the classification weights a confident wrong choice by its whole error, which is where a greedy policy changes.
 * Every choice was measured both ways, so nothing here is an estimate from the sample.
 */
public record DecisionCrossEntropy(LossAggregation aggregation) {

    /** Keeps {@code 1 − π} finite for a token the policy is certain of. */
    private static final float MAX_PROBABILITY = 1f - 1e-6f;

    /**
     * @param logProbs current log-probs {@code [batch, tokens]} (carrying gradients)
     * @param advantages per-token effects (0 for tokens that decided nothing)
     * @param mask 1 for real response tokens
     */
    public NDArray compute(NDArray logProbs, NDArray advantages, NDArray mask) {
        NDArray logRest = logProbs.exp().clip(0f, MAX_PROBABILITY).neg().add(1f).log();
        NDArray perToken = NDArrays.where(advantages.gt(0f), advantages.neg().mul(logProbs), advantages.mul(logRest));
        return aggregation.aggregate(perToken, mask);
    }
}

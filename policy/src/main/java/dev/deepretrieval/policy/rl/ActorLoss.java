package dev.deepretrieval.policy.rl;

import dev.deepretrieval.policy.model.ValueHead;

/**
 * What the actor minimises: the clipped surrogate, minus {@code entropyCoefficient ×} entropy, plus optionally
 * {@code klCoefficient × KL(π ‖ π_ref)} (GRPO's KL-as-loss, any estimator) and {@code valueCoefficient ×} the
 * clipped value loss of a value head on the shared trunk. With {@code decisions}, per-decision advantages are followed
 * by {@link DecisionCrossEntropy} in place of the surrogate.
 *
 * @param klEstimator null for no KL loss term
 * @param sharedValueHead null when the critic is a separate model
 * @param decisions null for the clipped surrogate
 */
public record ActorLoss(
        ClippedPolicyLoss policy,
        double entropyCoefficient,
        KlEstimator klEstimator,
        double klCoefficient,
        ValueHead sharedValueHead,
        ClippedValueLoss valueLoss,
        double valueCoefficient,
        DecisionCrossEntropy decisions) {

    /** The surrogate and the entropy bonus only. */
    public static ActorLoss surrogate(ClippedPolicyLoss policy, double entropyCoefficient) {
        return new ActorLoss(policy, entropyCoefficient, null, 0, null, null, 0, null);
    }

    /** This loss with per-decision advantages followed by {@code decisions} instead of the surrogate. */
    public ActorLoss withDecisions(DecisionCrossEntropy decisions) {
        return new ActorLoss(policy, entropyCoefficient, klEstimator, klCoefficient, sharedValueHead, valueLoss,
                valueCoefficient, decisions);
    }

    public ActorLoss {
        if (sharedValueHead != null && valueLoss == null) {
            throw new IllegalArgumentException("a shared value head needs a value loss");
        }
    }
}

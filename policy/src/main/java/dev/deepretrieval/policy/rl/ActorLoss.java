package dev.deepretrieval.policy.rl;

import dev.deepretrieval.policy.model.ValueHead;

/**
 * What the actor minimises: the clipped surrogate, minus {@code entropyCoefficient ×} entropy, plus optionally
 * {@code klCoefficient × KL(π ‖ π_ref)} (GRPO's KL-as-loss, any estimator) and {@code valueCoefficient ×} the
 * clipped value loss of a value head on the shared trunk.
 *
 * @param klEstimator null for no KL loss term
 * @param sharedValueHead null when the critic is a separate model
 */
public record ActorLoss(
        ClippedPolicyLoss policy,
        double entropyCoefficient,
        KlEstimator klEstimator,
        double klCoefficient,
        ValueHead sharedValueHead,
        ClippedValueLoss valueLoss,
        double valueCoefficient) {

    /** The surrogate and the entropy bonus only. */
    public static ActorLoss surrogate(ClippedPolicyLoss policy, double entropyCoefficient) {
        return new ActorLoss(policy, entropyCoefficient, null, 0, null, null, 0);
    }

    public ActorLoss {
        if (sharedValueHead != null && valueLoss == null) {
            throw new IllegalArgumentException("a shared value head needs a value loss");
        }
    }
}

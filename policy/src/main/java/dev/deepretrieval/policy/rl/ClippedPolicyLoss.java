package dev.deepretrieval.policy.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;

/**
 * PPO's clipped surrogate with separate low/high clip and dual clip for negative advantages (Ye et al., 2020), as
 * verl computes it:
 *
 * <pre>
 *   log r = clamp(log π − log π_old, −20, 20);  r = exp(log r)
 *   L1 = −A r;  L2 = −A clip(r, 1 − ε_low, 1 + ε_high);  L = max(L1, L2)
 *   for A &lt; 0:  L = min(L, −A c)           (dual clip, c &gt; 1)
 * </pre>
 *
 * @param clipLow ε_low (paper: 0.2)
 * @param clipHigh ε_high (paper: 0.2)
 * @param dualClip c (3.0)
 */
public record ClippedPolicyLoss(double clipLow, double clipHigh, double dualClip, LossAggregation aggregation) {

    public ClippedPolicyLoss {
        if (!(clipLow > 0 && clipLow < 1) || !(clipHigh > 0)) {
            throw new IllegalArgumentException("clip ranges must be positive (low < 1)");
        }
        if (!(dualClip > 1)) {
            throw new IllegalArgumentException("dual-clip constant must be > 1, got " + dualClip);
        }
    }

    /** The loss and its diagnostics (all scalars, in the scope of the inputs). */
    public record Result(NDArray loss, NDArray clipFraction, NDArray dualClipFraction, NDArray approxKl, NDArray ratio) {}

    /**
     * @param logProbs current log-probs {@code [batch, tokens]} (carrying gradients)
     * @param oldLogProbs log-probs at rollout time
     * @param advantages per-token advantages
     * @param mask 1 for real response tokens
     */
    public Result compute(NDArray logProbs, NDArray oldLogProbs, NDArray advantages, NDArray mask) {
        NDArray logRatio = logProbs.sub(oldLogProbs).clip(-20f, 20f);
        NDArray ratio = logRatio.exp();
        NDArray unclipped = advantages.neg().mul(ratio);
        NDArray clipped = advantages.neg().mul(ratio.clip(1 - clipLow, 1 + clipHigh));
        NDArray pessimistic = unclipped.maximum(clipped);
        NDArray dual = pessimistic.minimum(advantages.neg().mul((float) dualClip));
        NDArray negative = advantages.lt(0f);
        // select, not blend: pessimistic + (dual - pessimistic) * mask would cancel catastrophically at ratio e^20
        NDArray perToken = NDArrays.where(negative, dual, pessimistic);
        NDArray loss = aggregation.aggregate(perToken, mask);
        NDArray tokens = mask.sum().maximum(1f);
        NDArray clipFraction = clipped.gt(unclipped).toType(DataType.FLOAT32, false).mul(mask).sum().div(tokens);
        NDArray dualFraction = pessimistic.gt(advantages.neg().mul((float) dualClip)).logicalAnd(negative)
                .toType(DataType.FLOAT32, false).mul(mask).sum().div(tokens);
        NDArray approxKl = logRatio.neg().mul(mask).sum().div(tokens);
        NDArray meanRatio = ratio.mul(mask).sum().div(tokens);
        return new Result(loss, clipFraction, dualFraction, approxKl, meanRatio);
    }
}

package dev.deepretrieval.policy.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The critic's clipped value loss: {@code ½ · agg(max((V − R)², (clip(V, V_old − ε, V_old + ε) − R)²))} with
 * {@code ε} = 0.5 in the paper.
 */
public record ClippedValueLoss(double clipRange, LossAggregation aggregation) {

    public ClippedValueLoss {
        if (!(clipRange > 0)) {
            throw new IllegalArgumentException("value clip range must be > 0, got " + clipRange);
        }
    }

    /** The loss and the fraction of tokens where the clipped term was the larger one. */
    public record Result(NDArray loss, NDArray clipFraction) {}

    public Result compute(NDArray values, NDArray oldValues, NDArray returns, NDArray mask) {
        NDArray lower = oldValues.sub((float) clipRange);
        NDArray upper = oldValues.add((float) clipRange);
        NDArray clippedValues = values.maximum(lower).minimum(upper);
        NDArray unclippedLoss = values.sub(returns).square();
        NDArray clippedLoss = clippedValues.sub(returns).square();
        NDArray loss = aggregation.aggregate(unclippedLoss.maximum(clippedLoss), mask).mul(0.5f);
        NDArray clipFraction = clippedLoss.gt(unclippedLoss).toType(DataType.FLOAT32, false).mul(mask).sum()
                .div(mask.sum().maximum(1f));
        return new Result(loss, clipFraction);
    }
}

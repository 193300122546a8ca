package dev.deepretrieval.policy.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed PPO losses. Four tokens as a [2, 2] batch: advantages [1, 1 | -1, -1], ratios [1.5, 0.5 | 1.5, 5].
 * Per token: t0 max(-1.5, -1.2) = -1.2 (clipped); t1 max(-0.5, -0.8) = -0.5; t2 max(1.5, 1.2) = 1.5, dual
 * min(1.5, 3) = 1.5; t3 max(5, 1.2) = 5, dual min(5, 3) = 3.
 */
class LossesTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray batch(float... values) {
        return manager.create(values, new Shape(2, 2));
    }

    private ClippedPolicyLoss.Result policyLoss(LossAggregation mode, NDArray mask) {
        NDArray old = batch(0, 0, 0, 0);
        NDArray current = batch((float) Math.log(1.5), (float) Math.log(0.5), (float) Math.log(1.5), (float) Math.log(5));
        return new ClippedPolicyLoss(0.2, 0.2, 3.0, mode).compute(current, old, batch(1, 1, -1, -1), mask);
    }

    @Test
    void clippedSurrogateWithDualClipTokenMean() {
        ClippedPolicyLoss.Result result = policyLoss(LossAggregation.TOKEN_MEAN, batch(1, 1, 1, 1));
        assertEquals(0.7f, result.loss().getFloat(), 1e-6f); // (-1.2 - 0.5 + 1.5 + 3) / 4
        assertEquals(0.25f, result.clipFraction().getFloat(), 1e-6f);
        assertEquals(0.25f, result.dualClipFraction().getFloat(), 1e-6f);
        assertEquals(-0.4318052f, result.approxKl().getFloat(), 1e-6f); // -mean(log r)
        assertEquals(2.125f, result.ratio().getFloat(), 1e-6f);
    }

    @Test
    void aggregationModes() {
        NDArray all = batch(1, 1, 1, 1);
        assertEquals(1.4f, policyLoss(LossAggregation.SEQ_MEAN_TOKEN_SUM, all).loss().getFloat(), 1e-6f); // (-1.7 + 4.5) / 2
        assertEquals(0.7f, policyLoss(LossAggregation.SEQ_MEAN_TOKEN_MEAN, all).loss().getFloat(), 1e-6f); // (-0.85 + 2.25) / 2
        NDArray partial = batch(1, 0, 1, 1); // t1 is padding
        assertEquals(1.1f, policyLoss(LossAggregation.TOKEN_MEAN, partial).loss().getFloat(), 1e-6f); // (-1.2 + 1.5 + 3) / 3
        assertEquals(1.65f, policyLoss(LossAggregation.SEQ_MEAN_TOKEN_SUM, partial).loss().getFloat(), 1e-6f);
        assertEquals(0.525f, policyLoss(LossAggregation.SEQ_MEAN_TOKEN_MEAN, partial).loss().getFloat(), 1e-6f);
    }

    @Test
    void logRatioIsClampedToTwenty() {
        NDArray old = batch(-100, 0, 0, 0);
        NDArray current = batch(0, 0, 0, 0); // log ratio 100 -> 20
        ClippedPolicyLoss.Result result = new ClippedPolicyLoss(0.2, 0.2, 3.0, LossAggregation.TOKEN_MEAN)
                .compute(current, old, batch(-1, 0, 0, 0), batch(1, 0, 0, 0));
        assertEquals(3f, result.loss().getFloat(), 1e-6f); // dual clip bounds the exp(20) ratio at c = 3
        assertEquals(-20f, result.approxKl().getFloat(), 1e-6f);
    }

    @Test
    void decisionCrossEntropyMovesEachChoiceTowardItsBetterSide() {
        // π = [0.8, 0.5 | 0.9, 0.25], effects [2, 0 | -1, -0.5]: t0 -2 log 0.8; t1 no decision; t2 -1 log(1 - 0.9)
        // (the choice was the worse side: the rest of its mass is raised); t3 -0.5 log(0.75)
        NDArray logProbs = batch((float) Math.log(0.8), (float) Math.log(0.5), (float) Math.log(0.9),
                (float) Math.log(0.25));
        NDArray loss = new DecisionCrossEntropy(LossAggregation.TOKEN_MEAN).compute(logProbs, batch(2, 0, -1, -0.5f),
                batch(1, 1, 1, 1));
        double expected = (-2 * Math.log(0.8) - Math.log(0.1) - 0.5 * Math.log(0.75)) / 4;
        assertEquals(expected, loss.getFloat(), 1e-5);
        // a choice the policy is certain of and should not have made costs a finite -log(1 - (1 - 1e-6)) in float32
        NDArray certain = new DecisionCrossEntropy(LossAggregation.TOKEN_MEAN).compute(batch(0, 0, 0, 0),
                batch(-1, 0, 0, 0), batch(1, 0, 0, 0));
        assertEquals(-Math.log(1 - (double) (1f - 1e-6f)), certain.getFloat(), 1e-3);
    }

    @Test
    void clippedValueLoss() {
        // V = [1, 0], V_old = [0, 0], R = [0.8, 1]; clip(V) = [0.5, 0]; losses max([0.04, 1], [0.09, 1]) = [0.09, 1]
        NDArray mask = manager.create(new float[] {1, 1}, new Shape(1, 2));
        ClippedValueLoss.Result result = new ClippedValueLoss(0.5, LossAggregation.TOKEN_MEAN).compute(
                manager.create(new float[] {1, 0}, new Shape(1, 2)), manager.create(new float[] {0, 0}, new Shape(1, 2)),
                manager.create(new float[] {0.8f, 1}, new Shape(1, 2)), mask);
        assertEquals(0.2725f, result.loss().getFloat(), 1e-6f);
        assertEquals(0.5f, result.clipFraction().getFloat(), 1e-6f);
    }

    @Test
    void klEstimators() {
        // log π = -1, log π_ref = -1.5: k1 0.5, k2 0.125, k3 exp(-0.5) + 0.5 - 1 = 0.1065307
        NDArray logp = manager.create(new float[] {-1f});
        NDArray ref = manager.create(new float[] {-1.5f});
        assertEquals(0.5f, KlEstimator.K1.estimate(logp, ref).getFloat(0), 1e-6f);
        assertEquals(0.125f, KlEstimator.K2.estimate(logp, ref).getFloat(0), 1e-6f);
        assertEquals(0.1065307f, KlEstimator.K3.estimate(logp, ref).getFloat(0), 1e-6f);
        assertEquals(0.1065307, KlEstimator.K3.estimate(-1, -1.5), 1e-7);
        assertEquals(10f, KlEstimator.K3.estimate(manager.create(new float[] {-30f}), manager.create(new float[] {0f})).getFloat(0));
        assertEquals(KlEstimator.K3, KlEstimator.parse("low_var_kl"));
    }
}

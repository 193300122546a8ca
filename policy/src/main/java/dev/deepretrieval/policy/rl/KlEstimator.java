package dev.deepretrieval.policy.rl;

import ai.djl.ndarray.NDArray;
import java.util.Locale;

/**
 * Per-token estimators of KL(π ‖ π_ref) from log-probs of the sampled tokens, as verl names them.
 */
public enum KlEstimator {
    /** {@code log π − log π_ref}: unbiased, high variance (the paper's reward penalty). */
    K1,
    /** {@code ½ (log π − log π_ref)²}. */
    K2,
    /** {@code exp(log π_ref − log π) − (log π_ref − log π) − 1}, clamped to [−10, 10]: unbiased and low-variance. */
    K3;

    /** The estimate for NDArrays of log-probs (gradients flow to {@code logProbs}). */
    public NDArray estimate(NDArray logProbs, NDArray referenceLogProbs) {
        NDArray diff = logProbs.sub(referenceLogProbs);
        return switch (this) {
            case K1 -> diff;
            case K2 -> diff.square().mul(0.5f);
            case K3 -> {
                NDArray reverse = diff.neg();
                yield reverse.exp().sub(reverse).sub(1f).clip(-10f, 10f);
            }
        };
    }

    /** The estimate for one token, in Java. */
    public double estimate(double logProb, double referenceLogProb) {
        double diff = logProb - referenceLogProb;
        return switch (this) {
            case K1 -> diff;
            case K2 -> 0.5 * diff * diff;
            case K3 -> Math.max(-10, Math.min(10, Math.exp(-diff) + diff - 1));
        };
    }

    public static KlEstimator parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "k1", "kl" -> K1;
            case "k2", "mse" -> K2;
            case "k3", "low_var_kl", "low-var-kl" -> K3;
            default -> throw new IllegalArgumentException("unknown KL estimator '" + text + "' (expected k1, k2 or k3)");
        };
    }
}

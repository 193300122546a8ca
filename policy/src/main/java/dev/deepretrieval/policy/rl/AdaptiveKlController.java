package dev.deepretrieval.policy.rl;

/**
 * The adaptive KL coefficient of Ziegler et al. (2019): after each update, {@code β ← β (1 + e · n / horizon)} with
 * {@code e = clip(KL / target − 1, −0.2, 0.2)} and {@code n} the samples in the update.
 */
public final class AdaptiveKlController {

    private final double target;
    private final double horizon;
    private double coefficient;

    public AdaptiveKlController(double initial, double target, double horizon) {
        if (!(initial >= 0) || !(target > 0) || !(horizon > 0)) {
            throw new IllegalArgumentException("need initial >= 0, target > 0 and horizon > 0");
        }
        this.coefficient = initial;
        this.target = target;
        this.horizon = horizon;
    }

    public double coefficient() {
        return coefficient;
    }

    /** Sets the coefficient when resuming from a checkpoint. */
    public void restore(double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException("KL coefficient must be >= 0, got " + value);
        }
        coefficient = value;
    }

    /** Updates the coefficient from the KL measured over {@code samples} samples; returns the new value. */
    public double update(double measuredKl, int samples) {
        double error = Math.max(-0.2, Math.min(0.2, measuredKl / target - 1));
        coefficient *= 1 + error * samples / horizon;
        return coefficient;
    }
}

package dev.deepretrieval.policy.rl;

/**
 * Learning rate by step: linear warm-up from 0 over {@code warmupSteps}, then constant or cosine decay to
 * {@code minRatio · peak} at {@code totalSteps}.
 */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps, Shape shape, double minRatio) {

    /** After warm-up. */
    public enum Shape {
        CONSTANT,
        COSINE
    }

    public LearningRateSchedule {
        if (!(peak > 0) || warmupSteps < 0 || totalSteps < 1 || !(minRatio >= 0 && minRatio <= 1)) {
            throw new IllegalArgumentException("need peak > 0, warmup >= 0, total >= 1 and min ratio in [0, 1]");
        }
    }

    /** The rate for update {@code step} (0-based). */
    public double at(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (shape == Shape.CONSTANT) {
            return peak;
        }
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return peak * (minRatio + (1 - minRatio) * cosine);
    }
}

package dev.deepretrieval.policy.rl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PPO's update schedule: {@code epochs} passes over a batch of {@code n} samples cut into {@code miniBatches}
 * contiguous slices, one optimizer step per slice, metrics averaged over the steps.
 */
final class MiniBatches {

    /** One optimizer step over samples {@code [from, to)}; returns that step's metrics. */
    @FunctionalInterface
    interface Step {
        Map<String, Double> run(int from, int to);
    }

    private MiniBatches() {}

    static Map<String, Double> run(int n, int epochs, int miniBatches, Step step) {
        if (epochs < 1 || miniBatches < 1 || miniBatches > n) {
            throw new IllegalArgumentException("need epochs >= 1 and 1 <= mini-batches <= batch (" + n + ")");
        }
        var sums = new LinkedHashMap<String, Double>();
        int steps = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int slice = 0; slice < miniBatches; slice++) {
                step.run(slice * n / miniBatches, (slice + 1) * n / miniBatches)
                        .forEach((k, v) -> sums.merge(k, v, Double::sum));
                steps++;
            }
        }
        var means = new LinkedHashMap<String, Double>();
        for (var entry : sums.entrySet()) {
            means.put(entry.getKey(), entry.getValue() / steps);
        }
        return means;
    }
}

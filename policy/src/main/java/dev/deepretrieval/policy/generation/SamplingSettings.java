package dev.deepretrieval.policy.generation;

import java.util.List;
import java.util.Set;

/**
 * How to sample.
 *
 * @param greedy always take the most likely token (ties: the lowest id); temperature, top-p and top-k are ignored
 * @param temperature divides the logits; log-probs are reported under this tempered distribution
 * @param topP keep the smallest set of most likely tokens whose probability reaches {@code topP} (1 = all)
 * @param topK keep only the {@code topK} most likely tokens (0 = all)
 * @param maxNewTokens the most tokens to generate per sequence
 * @param stopTokenIds tokens that end a sequence (kept as its last token)
 * @param stopStrings texts that end a sequence once its decoded output contains one (the token completing it is kept)
 * @param seed sequence i samples from a generator seeded with {@code seed} and {@code i}, so a batch samples the
 *     same tokens as its sequences would one by one
 */
public record SamplingSettings(
        boolean greedy,
        double temperature,
        double topP,
        int topK,
        int maxNewTokens,
        Set<Integer> stopTokenIds,
        List<String> stopStrings,
        long seed) {

    public SamplingSettings {
        stopTokenIds = Set.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        if (!greedy && !(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0 when sampling, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
        }
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop strings must not be empty");
        }
    }

    /** Greedy decoding of up to {@code maxNewTokens}, stopping at the given ids. */
    public static SamplingSettings greedy(int maxNewTokens, Set<Integer> stopTokenIds) {
        return new SamplingSettings(true, 1.0, 1.0, 0, maxNewTokens, stopTokenIds, List.of(), 0);
    }

    /** Plain sampling at a temperature (no top-p/top-k truncation). */
    public static SamplingSettings sampling(double temperature, int maxNewTokens, Set<Integer> stopTokenIds, long seed) {
        return new SamplingSettings(false, temperature, 1.0, 0, maxNewTokens, stopTokenIds, List.of(), seed);
    }

    /** These settings with another seed. */
    public SamplingSettings withSeed(long newSeed) {
        return new SamplingSettings(greedy, temperature, topP, topK, maxNewTokens, stopTokenIds, stopStrings, newSeed);
    }

    /** These settings stopping at {@code more} ids too. */
    public SamplingSettings withStopTokens(Set<Integer> more) {
        var stops = new java.util.HashSet<>(stopTokenIds);
        stops.addAll(more);
        return new SamplingSettings(greedy, temperature, topP, topK, maxNewTokens, stops, stopStrings, seed);
    }

    /** The temperature log-probs are computed at: 1 when greedy. */
    public double effectiveTemperature() {
        return greedy ? 1.0 : temperature;
    }
}

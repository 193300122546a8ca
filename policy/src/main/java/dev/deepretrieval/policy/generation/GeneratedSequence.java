package dev.deepretrieval.policy.generation;

/**
 * One generated continuation.
 *
 * @param tokens the generated token ids (the prompt not included), stop token included
 * @param logProbs each token's log-prob under the tempered model distribution it was drawn from
 * @param stopReason why generation ended
 */
public record GeneratedSequence(int[] tokens, float[] logProbs, StopReason stopReason) {

    public GeneratedSequence {
        if (tokens.length != logProbs.length) {
            throw new IllegalArgumentException("one log-prob per token required");
        }
    }
}

package dev.deepretrieval.policy.generation;

/**
 * One generated continuation.
 *
 * @param tokens the generated token ids (the prompt not included), stop token included
 * @param logProbs each token's log-prob under the tempered model distribution it was drawn from
 * @param stopReason why generation ended
 * @param allowedTokens under a constraint that {@linkplain TokenConstraint#definesPolicy() defines the policy}: per
 *     token, the tokens it was chosen among (its log-prob is renormalised over them); null otherwise
 */
public record GeneratedSequence(int[] tokens, float[] logProbs, StopReason stopReason, int[][] allowedTokens) {

    public GeneratedSequence {
        if (tokens.length != logProbs.length) {
            throw new IllegalArgumentException("one log-prob per token required");
        }
        if (allowedTokens != null && allowedTokens.length != tokens.length) {
            throw new IllegalArgumentException("one set of allowed tokens per token required");
        }
    }

    /** A sequence sampled from the model's whole vocabulary. */
    public GeneratedSequence(int[] tokens, float[] logProbs, StopReason stopReason) {
        this(tokens, logProbs, stopReason, null);
    }
}

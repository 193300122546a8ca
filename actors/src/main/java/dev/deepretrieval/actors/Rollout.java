package dev.deepretrieval.actors;

import java.util.List;

/**
 * One sampled completion, tagged with the policy version that produced it.
 *
 * @param batchId the rollout batch it belongs to
 * @param index its position in the batch
 * @param completion the assistant turn as the reward sees it (the template's pre-fill, then the generated text)
 * @param logProbs each response token's log-prob under the sampling policy (the behaviour policy of the update)
 * @param allowedTokens per response token, the tokens the policy chose among (extractive decoding); null when it
 *     chose from the whole vocabulary
 * @param counterfactuals the rollout's word choices to be scored as well ({@link Credit#WORD}); empty otherwise
 */
public record Rollout(long batchId, int index, String promptId, int[] promptTokens, int[] responseTokens,
        String completion, long policyVersion, float[] logProbs, int[][] allowedTokens,
        List<Counterfactual> counterfactuals) {

    public Rollout {
        counterfactuals = List.copyOf(counterfactuals);
    }

    /** A rollout without counterfactuals. */
    public Rollout(long batchId, int index, String promptId, int[] promptTokens, int[] responseTokens,
            String completion, long policyVersion, float[] logProbs, int[][] allowedTokens) {
        this(batchId, index, promptId, promptTokens, responseTokens, completion, policyVersion, logProbs, allowedTokens,
                List.of());
    }

    /** One choice of the rollout: the response token that made it, and the completion had it gone the other way. */
    public record Counterfactual(int token, String completion) {}
}

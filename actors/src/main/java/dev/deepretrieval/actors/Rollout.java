package dev.deepretrieval.actors;

import dev.deepretrieval.rewriter.Rewrite;
import java.util.ArrayList;
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

    /**
     * The rollouts of {@code rewrites}, the completions of {@code prompts} with {@code samplesPerPrompt} adjacent
     * samples of each, indexed from {@code firstIndex} within batch {@code batchId} and tagged with {@code version}; with
     * {@link Credit#WORD} each carries its word choices' counterfactuals.
     */
    public static List<Rollout> of(long batchId, int firstIndex, List<RolloutPrompt> prompts, int samplesPerPrompt,
            List<Rewrite> rewrites, long version, Credit credit) {
        var rollouts = new ArrayList<Rollout>(rewrites.size());
        for (int i = 0; i < rewrites.size(); i++) {
            Rewrite r = rewrites.get(i);
            List<Counterfactual> counterfactuals = credit == Credit.WORD ? r.decisions().stream()
                    .map(d -> new Counterfactual(d.token(), d.alternative())).toList() : List.of();
            rollouts.add(new Rollout(batchId, firstIndex + i, prompts.get(i / samplesPerPrompt).promptId(),
                    r.promptTokens(), r.generatedTokens(), r.completion(), version, r.logProbs(), r.allowedTokens(),
                    counterfactuals));
        }
        return rollouts;
    }

    /** One choice of the rollout: the response token that made it, and the completion had it gone the other way. */
    public record Counterfactual(int token, String completion) {}
}

package dev.deepretrieval.rewriter;

import java.util.List;
import java.util.Optional;

/**
 * One rewrite of one query.
 *
 * @param original the query the prompt was built around
 * @param completion the assistant turn as the reward sees it: the template's pre-fill, then the generated text
 * @param rewritten the parsed query when the completion is in a valid answer format with a string {@code "query"}
 * @param think the text between {@code <think>} and {@code </think>}, when present
 * @param promptTokens the prompt's token ids
 * @param generatedTokens the generated token ids
 * @param logProbs the log-prob of each generated token under the sampling distribution
 * @param allowedTokens per generated token, the tokens the policy chose among (extractive decoding, whose policy is
 *     the model renormalised over them); null when it chose from the whole vocabulary
 * @param decisions the word choices an extractive rewrite made, each with the completion had it gone the other way;
 *     empty for other decodings
 */
public record Rewrite(String original, String completion, Optional<String> rewritten, Optional<String> think,
        int[] promptTokens, int[] generatedTokens, float[] logProbs, int[][] allowedTokens,
        List<ExtractiveAnswer.WordDecision> decisions) {

    public Rewrite {
        decisions = List.copyOf(decisions);
    }

    /** Whether the completion parsed as a valid answer. */
    public boolean formatValid() {
        return rewritten.isPresent();
    }

    /** The query to retrieve with: the rewrite when valid, otherwise empty (an invalid answer retrieves nothing). */
    public String queryOrEmpty() {
        return rewritten.orElse("");
    }
}

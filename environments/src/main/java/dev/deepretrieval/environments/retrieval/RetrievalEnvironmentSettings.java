package dev.deepretrieval.environments.retrieval;

import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.reward.RewardScheme;
import java.util.Objects;

/**
 * How a retrieval environment scores completions.
 *
 * @param answerFormat the tag structure a completion must have
 * @param depth how many documents to retrieve per query
 * @param rewardCutoff the k of the nDCG@k that the reward uses (the paper: 10 at test time, 50 when training
 *     on SciFact); at most {@code depth}
 * @param reward the reward scheme (the paper's {@code BEIR} scheme)
 * @param rewriteMode what is retrieved for a rewrite: the rewrite alone (the paper) or with the original query
 */
public record RetrievalEnvironmentSettings(
        AnswerFormat answerFormat, int depth, int rewardCutoff, RewardScheme reward, RewriteMode rewriteMode) {

    /** Settings that retrieve the rewrite alone, as the paper. */
    public RetrievalEnvironmentSettings(AnswerFormat answerFormat, int depth, int rewardCutoff, RewardScheme reward) {
        this(answerFormat, depth, rewardCutoff, reward, RewriteMode.REPLACE);
    }

    public RetrievalEnvironmentSettings {
        Objects.requireNonNull(answerFormat, "answerFormat");
        Objects.requireNonNull(reward, "reward");
        Objects.requireNonNull(rewriteMode, "rewriteMode");
        if (depth < 1) {
            throw new IllegalArgumentException("retrieval depth must be >= 1, got " + depth);
        }
        if (rewardCutoff < 1 || rewardCutoff > depth) {
            throw new IllegalArgumentException(
                    "reward nDCG cutoff must be in [1, depth=" + depth + "], got " + rewardCutoff);
        }
    }
}

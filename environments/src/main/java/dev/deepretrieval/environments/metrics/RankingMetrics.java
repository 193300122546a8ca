package dev.deepretrieval.environments.metrics;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-query ranking metrics, as {@code trec_eval} computes them.
 *
 * <p>A document is relevant when its grade is above zero; unjudged documents count as grade 0. Ranks are positions
 * in the list (1-based); a document id repeated in the list earns its gain only once, at its first position, so
 * repetition can never raise a score. A query without relevant documents scores 0 on every metric.
 *
 * <p>nDCG, recall and the first relevant rank are computed by {@link RelevantRanks}, the single scan the reward path
 * uses.
 */
public final class RankingMetrics {

    private RankingMetrics() {}

    /**
     * nDCG@k ({@code ndcg_cut.k}): gain = grade, discount = log2(rank + 1), normalised by the DCG of the judgments
     * sorted by grade, both cut at k.
     */
    public static double ndcg(List<String> ranked, Map<String, Integer> judgments, int k) {
        requirePositive(k);
        return RelevantRanks.of(ranked, judgments, k).ndcg(k);
    }

    /** Recall@k: relevant documents in the top k over all relevant documents. */
    public static double recall(List<String> ranked, Map<String, Integer> judgments, int k) {
        requirePositive(k);
        return RelevantRanks.of(ranked, judgments, k).recall(k);
    }

    /** MRR@k: the reciprocal rank of the first relevant document within the top k, else 0. */
    public static double reciprocalRank(List<String> ranked, Map<String, Integer> judgments, int k) {
        requirePositive(k);
        int rank = firstRelevantRank(ranked, judgments);
        return rank > 0 && rank <= k ? 1.0 / rank : 0;
    }

    /** Hits@k: 1 when any relevant document is in the top k, else 0. */
    public static double hits(List<String> ranked, Map<String, Integer> judgments, int k) {
        requirePositive(k);
        int rank = firstRelevantRank(ranked, judgments);
        return rank > 0 && rank <= k ? 1 : 0;
    }

    /** The 1-based rank of the first relevant document, or 0 when none was retrieved. */
    public static int firstRelevantRank(List<String> ranked, Map<String, Integer> judgments) {
        return RelevantRanks.of(ranked, judgments, ranked.size()).firstRank();
    }

    /** Set recall for ID-list tasks: |retrieved ∩ targets| / |targets|; 0 when there are no targets. */
    public static double setRecall(Collection<String> retrieved, Set<String> targets) {
        if (targets.isEmpty()) {
            return 0;
        }
        Set<String> found = new HashSet<>();
        for (String id : retrieved) {
            if (targets.contains(id)) {
                found.add(id);
            }
        }
        return (double) found.size() / targets.size();
    }

    /** Number of judgments with a grade above zero. */
    public static long relevantCount(Map<String, Integer> judgments) {
        long count = 0;
        for (int grade : judgments.values()) {
            if (grade > 0) {
                count++;
            }
        }
        return count;
    }




    private static void requirePositive(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("cutoff k must be >= 1, got " + k);
        }
    }
}

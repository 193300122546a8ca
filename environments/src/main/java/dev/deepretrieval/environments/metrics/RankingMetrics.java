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
 * <p>These run on every rollout's reward path, so they scan the list once without copying it: only relevant
 * documents are remembered, to ignore their repeats.
 */
public final class RankingMetrics {

    private static final double LN2 = Math.log(2);

    private RankingMetrics() {}

    /**
     * nDCG@k ({@code ndcg_cut.k}): gain = grade, discount = log2(rank + 1), normalised by the DCG of the judgments
     * sorted by grade, both cut at k.
     */
    public static double ndcg(List<String> ranked, Map<String, Integer> judgments, int k) {
        requirePositive(k);
        double ideal = idealDcg(judgments, k);
        if (ideal == 0) {
            return 0;
        }
        double dcg = 0;
        Set<String> credited = null;
        int limit = Math.min(k, ranked.size());
        for (int i = 0; i < limit; i++) {
            String doc = ranked.get(i);
            int grade = grade(judgments, doc);
            if (grade > 0) {
                if (credited == null) {
                    credited = new HashSet<>();
                }
                if (credited.add(doc)) {
                    dcg += grade / log2(i + 2);
                }
            }
        }
        return dcg / ideal;
    }

    /** Recall@k: relevant documents in the top k over all relevant documents. */
    public static double recall(List<String> ranked, Map<String, Integer> judgments, int k) {
        requirePositive(k);
        long relevant = relevantCount(judgments);
        if (relevant == 0) {
            return 0;
        }
        Set<String> found = null;
        int limit = Math.min(k, ranked.size());
        for (int i = 0; i < limit; i++) {
            String doc = ranked.get(i);
            if (grade(judgments, doc) > 0) {
                if (found == null) {
                    found = new HashSet<>();
                }
                found.add(doc);
            }
        }
        return found == null ? 0 : (double) found.size() / relevant;
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
        for (int i = 0; i < ranked.size(); i++) {
            if (grade(judgments, ranked.get(i)) > 0) {
                return i + 1;
            }
        }
        return 0;
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

    private static int grade(Map<String, Integer> judgments, String doc) {
        Integer grade = judgments.get(doc);
        return grade == null ? 0 : grade;
    }

    private static double idealDcg(Map<String, Integer> judgments, int k) {
        int[] grades = judgments.values().stream()
                .mapToInt(Integer::intValue)
                .filter(g -> g > 0)
                .sorted()
                .toArray();
        double ideal = 0;
        for (int i = 0; i < Math.min(k, grades.length); i++) {
            ideal += grades[grades.length - 1 - i] / log2(i + 2);
        }
        return ideal;
    }

    private static double log2(int x) {
        return Math.log(x) / LN2;
    }

    private static void requirePositive(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("cutoff k must be >= 1, got " + k);
        }
    }
}

package dev.deepretrieval.environments.metrics;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the relevant documents sit in one ranked list, found in a single scan; every ranking metric of the list
 * then follows from these few positions. This is the reward path's way to compute several metrics at once.
 *
 * <p>Semantics as {@link RankingMetrics}: relevant means grade above zero, ranks are 1-based list positions, and a
 * repeated relevant document counts only at its first position.
 */
public final class RelevantRanks {

    private final int[] ranks;
    private final int[] grades;
    private final int found;
    private final int[] idealGradesDescending;

    private RelevantRanks(int[] ranks, int[] grades, int found, int[] idealGradesDescending) {
        this.ranks = ranks;
        this.grades = grades;
        this.found = found;
        this.idealGradesDescending = idealGradesDescending;
    }

    /** Scans the first {@code depth} entries of {@code ranked} (all of them when shorter). */
    public static RelevantRanks of(List<String> ranked, Map<String, Integer> judgments, int depth) {
        int[] ideal = judgments.values().stream().mapToInt(Integer::intValue).filter(g -> g > 0).sorted().toArray();
        for (int i = 0, j = ideal.length - 1; i < j; i++, j--) {
            int swap = ideal[i];
            ideal[i] = ideal[j];
            ideal[j] = swap;
        }
        int[] ranks = new int[ideal.length];
        int[] grades = new int[ideal.length];
        int found = 0;
        Set<String> credited = null;
        int limit = Math.min(depth, ranked.size());
        for (int i = 0; i < limit && found < ideal.length; i++) {
            String doc = ranked.get(i);
            Integer grade = judgments.get(doc);
            if (grade != null && grade > 0) {
                if (credited == null) {
                    credited = new HashSet<>();
                }
                if (credited.add(doc)) {
                    ranks[found] = i + 1;
                    grades[found] = grade;
                    found++;
                }
            }
        }
        return new RelevantRanks(ranks, grades, found, ideal);
    }

    /** Number of relevant documents judged for the query. */
    public int relevantCount() {
        return idealGradesDescending.length;
    }

    /** nDCG@k, for k up to the scanned depth. */
    public double ndcg(int k) {
        double ideal = 0;
        for (int i = 0; i < Math.min(k, idealGradesDescending.length); i++) {
            ideal += idealGradesDescending[i] / log2(i + 2);
        }
        if (ideal == 0) {
            return 0;
        }
        double dcg = 0;
        for (int i = 0; i < found && ranks[i] <= k; i++) {
            dcg += grades[i] / log2(ranks[i] + 1);
        }
        return dcg / ideal;
    }

    /** Recall@k, for k up to the scanned depth. */
    public double recall(int k) {
        if (idealGradesDescending.length == 0) {
            return 0;
        }
        int within = 0;
        while (within < found && ranks[within] <= k) {
            within++;
        }
        return (double) within / idealGradesDescending.length;
    }

    /** Rank of the first relevant document within the scanned depth, or 0 when none. */
    public int firstRank() {
        return found == 0 ? 0 : ranks[0];
    }

    private static double log2(int x) {
        return Math.log(x) / Math.log(2);
    }
}

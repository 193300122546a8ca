package dev.deepretrieval.environments.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The single-scan metrics must agree exactly with the per-metric definitions. */
class RelevantRanksTest {

    @Test
    void agreesWithRankingMetricsOnSeededRandomRankings() {
        Random random = new Random(42);
        for (int trial = 0; trial < 2000; trial++) {
            Map<String, Integer> judgments = new HashMap<>();
            int judged = random.nextInt(8);
            for (int j = 0; j < judged; j++) {
                judgments.put("d" + random.nextInt(30), random.nextInt(4) - 1); // grades -1..2
            }
            List<String> ranked = new ArrayList<>();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                ranked.add("d" + random.nextInt(30)); // repeats happen
            }
            int depth = 1 + random.nextInt(40);
            RelevantRanks ranks = RelevantRanks.of(ranked, judgments, depth);
            for (int k = 1; k <= depth; k++) {
                assertEquals(RankingMetrics.ndcg(ranked, judgments, k), ranks.ndcg(k), 1e-12, "ndcg@" + k);
                assertEquals(RankingMetrics.recall(ranked, judgments, k), ranks.recall(k), 1e-12, "recall@" + k);
            }
            int first = RankingMetrics.firstRelevantRank(ranked, judgments);
            assertEquals(first <= depth ? first : 0, ranks.firstRank());
            assertEquals(RankingMetrics.relevantCount(judgments), ranks.relevantCount());
        }
    }
}

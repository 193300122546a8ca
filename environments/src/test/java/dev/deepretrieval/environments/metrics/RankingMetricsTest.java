package dev.deepretrieval.environments.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Golden values computed by hand (log2(2)=1, log2(3)=1.5849625, log2(4)=2, log2(5)=2.3219281). */
class RankingMetricsTest {

    private static final double EPS = 1e-12;
    private static final double LOG2_3 = Math.log(3) / Math.log(2);
    private static final double LOG2_5 = Math.log(5) / Math.log(2);

    // d1 grade 2, d2 grade 1, d3 judged non-relevant, d4 grade 1; d9 unjudged
    private static final Map<String, Integer> GRADED = Map.of("d1", 2, "d2", 1, "d3", 0, "d4", 1);

    @Test
    void ndcgUsesGradeAsGainAndSortedJudgmentsAsIdeal() {
        // ranking: d9 (0), d2 (1), d1 (2), d3 (0)
        // DCG@4 = 0 + 1/log2(3) + 2/log2(4) + 0 = 0.6309298 + 1 = 1.6309298
        // IDCG@4 = 2/1 + 1/log2(3) + 1/log2(4) = 2 + 0.6309298 + 0.5 = 3.1309298
        double dcg = 1 / LOG2_3 + 2 / 2.0;
        double ideal = 2 + 1 / LOG2_3 + 1 / 2.0;
        assertEquals(dcg / ideal, RankingMetrics.ndcg(List.of("d9", "d2", "d1", "d3"), GRADED, 4), EPS);
        assertEquals(0.5209091, RankingMetrics.ndcg(List.of("d9", "d2", "d1", "d3"), GRADED, 4), 1e-7);
    }

    @Test
    void ndcgCutsBothRankingAndIdealAtK() {
        // @1: ranking d2 (gain 1), ideal d1 (gain 2) -> 0.5
        assertEquals(0.5, RankingMetrics.ndcg(List.of("d2", "d1"), GRADED, 1), EPS);
        // @2: DCG = 1 + 2/log2(3); IDCG = 2 + 1/log2(3)
        assertEquals((1 + 2 / LOG2_3) / (2 + 1 / LOG2_3), RankingMetrics.ndcg(List.of("d2", "d1"), GRADED, 2), EPS);
    }

    @Test
    void ndcgWithTiedGradesIsOneForAnyOrderOfTheTiedDocuments() {
        Map<String, Integer> tied = Map.of("a", 1, "b", 1, "c", 1);
        assertEquals(1.0, RankingMetrics.ndcg(List.of("c", "a", "b"), tied, 3), EPS);
        assertEquals(1.0, RankingMetrics.ndcg(List.of("b", "c", "a", "x"), tied, 10), EPS);
        // one tied document missing from the top 3: DCG = 1 + 1/log2(3), IDCG = 1 + 1/log2(3) + 1/2
        assertEquals((1 + 1 / LOG2_3) / (1 + 1 / LOG2_3 + 0.5), RankingMetrics.ndcg(List.of("a", "b", "x"), tied, 3), EPS);
    }

    @Test
    void repeatedDocumentEarnsItsGainOnceAtItsFirstRank() {
        // d1 d1 d2: the second d1 earns nothing; d2 keeps its position, rank 3 (discount log2(4) = 2)
        assertEquals((2 + 0.5) / (2 + 1 / LOG2_3 + 0.5), RankingMetrics.ndcg(List.of("d1", "d1", "d2"), GRADED, 3), EPS);
        assertEquals(2.0 / 3, RankingMetrics.recall(List.of("d1", "d1", "d2"), GRADED, 3), EPS);
        // repeating the best document cannot push nDCG past 1
        assertEquals(2 / (2 + 1 / LOG2_3 + 0.5), RankingMetrics.ndcg(List.of("d1", "d1", "d1"), GRADED, 3), EPS);
    }

    @Test
    void ndcgIsZeroWithoutRelevantJudgmentsOrHits() {
        assertEquals(0.0, RankingMetrics.ndcg(List.of("d3"), Map.of("d3", 0), 10), EPS);
        assertEquals(0.0, RankingMetrics.ndcg(List.of(), GRADED, 10), EPS);
        assertEquals(0.0, RankingMetrics.ndcg(List.of("d9", "d3"), GRADED, 10), EPS);
    }

    @Test
    void recallCountsOnlyGradesAboveZero() {
        // 3 relevant (d1, d2, d4); d3 (grade 0) is not
        assertEquals(1.0 / 3, RankingMetrics.recall(List.of("d3", "d2", "d9"), GRADED, 3), EPS);
        assertEquals(0.0, RankingMetrics.recall(List.of("d3", "d2"), GRADED, 1), EPS);
        assertEquals(1.0, RankingMetrics.recall(List.of("d4", "d1", "d2"), GRADED, 5), EPS);
    }

    @Test
    void reciprocalRankAndHitsUseTheFirstRelevantDocument() {
        List<String> ranked = List.of("d9", "d3", "d4", "d1");
        assertEquals(3, RankingMetrics.firstRelevantRank(ranked, GRADED));
        assertEquals(1.0 / 3, RankingMetrics.reciprocalRank(ranked, GRADED, 10), EPS);
        assertEquals(0.0, RankingMetrics.reciprocalRank(ranked, GRADED, 2), EPS);
        assertEquals(1.0, RankingMetrics.hits(ranked, GRADED, 3), EPS);
        assertEquals(0.0, RankingMetrics.hits(ranked, GRADED, 2), EPS);
        assertEquals(0, RankingMetrics.firstRelevantRank(List.of("d9"), GRADED));
    }

    @Test
    void setRecallOfIdLists() {
        assertEquals(0.5, RankingMetrics.setRecall(List.of("1", "2", "2", "7"), Set.of("1", "3", "7", "9")), EPS);
        assertEquals(0.0, RankingMetrics.setRecall(List.of("1"), Set.of()), EPS);
    }

    @Test
    void cutoffMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> RankingMetrics.ndcg(List.of(), GRADED, 0));
    }

    @Test
    void ndcgAtTenWithFiveLevelDiscountsMatchesHandValue() {
        // single relevant at rank 4 of a binary judgment: 1/log2(5) = 0.4306766
        assertEquals(1 / LOG2_5, RankingMetrics.ndcg(List.of("a", "b", "c", "r"), Map.of("r", 1), 10), EPS);
        assertEquals(0.4306766, RankingMetrics.ndcg(List.of("a", "b", "c", "r"), Map.of("r", 1), 10), 1e-7);
    }
}

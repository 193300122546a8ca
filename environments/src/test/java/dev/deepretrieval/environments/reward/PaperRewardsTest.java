package dev.deepretrieval.environments.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every row of the reference code's reward tables, at and just below each bound. */
class PaperRewardsTest {

    private static final Outcome FORMAT_INVALID = new Outcome.FormatInvalid();
    private static final Outcome UNUSABLE = new Outcome.AnswerUnusable();

    @ParameterizedTest(name = "recall {0} -> total {1}")
    @CsvSource({
        "1.0, 6", "0.7, 6", "0.6999, 5", "0.5, 5", "0.4999, 4", "0.4, 4", "0.3999, 2", "0.3, 2",
        "0.2999, 1.5", "0.1, 1.5", "0.0999, 1.1", "0.05, 1.1", "0.0499, -2.5", "0.0, -2.5"})
    void literatureSearchRecallTiers(double recall, double total) {
        assertEquals(total, PaperRewards.LITERATURE_SEARCH.reward(new Outcome.Measured(recall)), 1e-12);
    }

    @Test
    void literatureSearchFormatAndErrors() {
        assertEquals(-4, PaperRewards.LITERATURE_SEARCH.reward(FORMAT_INVALID), 0);
        assertEquals(-3, PaperRewards.LITERATURE_SEARCH.reward(UNUSABLE), 0);
    }

    @ParameterizedTest(name = "first hit at rank {0} -> total {1}")
    @CsvSource({
        "1, 6", "5, 6", "6, 5", "20, 5", "21, 3", "50, 3", "51, 2", "100, 2", "101, 1.5", "1000, 1.5",
        "1001, 1.1", "3000, 1.1", "3001, -2.5", "Infinity, -2.5"})
    void evidenceQaRankTiers(double rank, double total) {
        assertEquals(total, PaperRewards.EVIDENCE_QA.reward(new Outcome.Measured(rank)), 1e-12);
    }

    @Test
    void evidenceQaFormatAndErrors() {
        assertEquals(-4, PaperRewards.EVIDENCE_QA.reward(FORMAT_INVALID), 0);
        assertEquals(-3, PaperRewards.EVIDENCE_QA.reward(UNUSABLE), 0);
    }

    @Test
    void squadVariantDiffersOnlyInMissAndError() {
        assertEquals(6, PaperRewards.EVIDENCE_QA_SQUAD.reward(new Outcome.Measured(5)), 0);
        assertEquals(1.1, PaperRewards.EVIDENCE_QA_SQUAD.reward(new Outcome.Measured(3000)), 1e-12);
        assertEquals(-1.5, PaperRewards.EVIDENCE_QA_SQUAD.reward(new Outcome.Measured(3001)), 1e-12);
        assertEquals(-2, PaperRewards.EVIDENCE_QA_SQUAD.reward(UNUSABLE), 0);
        assertEquals(-4, PaperRewards.EVIDENCE_QA_SQUAD.reward(FORMAT_INVALID), 0);
    }

    @ParameterizedTest(name = "nDCG {0} -> total {1}")
    @CsvSource({"1.0, 1.1", "0.5, 0.6", "0.0001, 0.1001", "0.0, 0"})
    void beirRewardIsGatedNdcg(double ndcg, double total) {
        assertEquals(total, PaperRewards.BEIR.reward(new Outcome.Measured(ndcg)), 1e-12);
    }

    @Test
    void beirFormatAndUnusableAnswer() {
        assertEquals(-2, PaperRewards.BEIR.reward(FORMAT_INVALID), 0);
        assertEquals(0, PaperRewards.BEIR.reward(UNUSABLE), 0);
    }

    @Test
    void sqlRewardIsExecutionMatch() {
        assertEquals(1.1, PaperRewards.SQL.reward(new Outcome.Measured(1)), 1e-12);
        assertEquals(0, PaperRewards.SQL.reward(new Outcome.Measured(0)), 0);
        assertEquals(0, PaperRewards.SQL.reward(UNUSABLE), 0);
        assertEquals(-2, PaperRewards.SQL.reward(FORMAT_INVALID), 0);
    }

    @Test
    void tierTablesRejectBoundsOutOfOrder() {
        assertThrows(IllegalArgumentException.class, () -> new TierTable(TierTable.Direction.AT_LEAST,
                List.of(new Tier(0.3, 1), new Tier(0.5, 2)), 0));
        assertThrows(IllegalArgumentException.class, () -> new TierTable(TierTable.Direction.AT_MOST,
                List.of(new Tier(20, 4), new Tier(5, 5)), 0));
    }

    @Test
    void nanMetricFallsThroughToOtherwise() {
        assertEquals(-2.5, PaperRewards.LITERATURE_SEARCH.reward(new Outcome.Measured(Double.NaN)), 0);
    }
}

package dev.deepretrieval.environments.reward;

import java.util.List;

/**
 * The reward tables of the DeepRetrieval reference code (arXiv 2503.00223), value for value.
 *
 * <p>Literature search scores recall of the included studies in the top 3,000; evidence QA scores the rank of the
 * first answer-bearing passage (no hit in the retrieved list is rank "none", scored {@code otherwise}); BEIR scores
 * nDCG@k; SQL scores execution match (1 or 0).
 */
public final class PaperRewards {

    private PaperRewards() {}

    /** PubMed / ClinicalTrials.gov: format +1 / −4; recall tiers; an unusable answer −4 (total −3). */
    public static final AdditiveReward LITERATURE_SEARCH = new AdditiveReward(1, -4,
            new TierTable(TierTable.Direction.AT_LEAST, List.of(
                    new Tier(0.7, 5), new Tier(0.5, 4), new Tier(0.4, 3),
                    new Tier(0.3, 1), new Tier(0.1, 0.5), new Tier(0.05, 0.1)), -3.5),
            -4);

    /** NQ / TriviaQA: format +1 / −4; rank tiers of the first hit; no hit −3.5; an unusable answer −4. */
    public static final AdditiveReward EVIDENCE_QA = new AdditiveReward(1, -4, rankTiers(-3.5), -4);

    /** SQuAD's variant of {@link #EVIDENCE_QA}: no hit −2.5, an unusable answer −3. */
    public static final AdditiveReward EVIDENCE_QA_SQUAD = new AdditiveReward(1, -4, rankTiers(-2.5), -3);

    /** BEIR: format +0.1 / −2; 0.1 + nDCG@k when nDCG > 0, else 0. */
    public static final GatedReward BEIR = new GatedReward(0.1, -2);

    /** Text-to-SQL: format +0.1 / −2; 1.1 on an execution match, else 0. */
    public static final GatedReward SQL = new GatedReward(0.1, -2);

    private static TierTable rankTiers(double noHit) {
        return new TierTable(TierTable.Direction.AT_MOST, List.of(
                new Tier(5, 5), new Tier(20, 4), new Tier(50, 2),
                new Tier(100, 1), new Tier(1000, 0.5), new Tier(3000, 0.1)), noHit);
    }
}

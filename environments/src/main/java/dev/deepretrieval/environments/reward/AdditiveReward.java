package dev.deepretrieval.environments.reward;

import java.util.Objects;

/**
 * Format score plus answer score, as the literature-search and evidence-QA rewards add them: a format failure
 * earns {@code formatPenalty} alone; otherwise {@code formatBonus} plus the tier score of the metric, or plus
 * {@code unusableAnswer} when the answer could not be used.
 */
public record AdditiveReward(double formatBonus, double formatPenalty, TierTable answerTiers, double unusableAnswer)
        implements RewardScheme {

    public AdditiveReward {
        Objects.requireNonNull(answerTiers, "answerTiers");
    }

    @Override
    public double reward(Outcome outcome) {
        return switch (outcome) {
            case Outcome.FormatInvalid f -> formatPenalty;
            case Outcome.AnswerUnusable u -> formatBonus + unusableAnswer;
            case Outcome.Measured m -> formatBonus + answerTiers.score(m.metric());
        };
    }
}

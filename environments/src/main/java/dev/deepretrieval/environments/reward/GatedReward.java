package dev.deepretrieval.environments.reward;

/**
 * The BEIR and SQL rewards: {@code formatBonus + metric} when the metric is above zero, {@code 0} for a well-formed
 * answer that earns nothing (or cannot be used), {@code formatPenalty} for a format failure.
 */
public record GatedReward(double formatBonus, double formatPenalty) implements RewardScheme {

    @Override
    public double reward(Outcome outcome) {
        return switch (outcome) {
            case Outcome.FormatInvalid f -> formatPenalty;
            case Outcome.AnswerUnusable u -> 0;
            case Outcome.Measured m -> m.metric() > 0 ? formatBonus + m.metric() : 0;
        };
    }
}

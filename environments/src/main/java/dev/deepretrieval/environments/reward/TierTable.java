package dev.deepretrieval.environments.reward;

import java.util.List;
import java.util.Objects;

/**
 * A metric → score table, read top-down: the first tier whose bound the value meets gives the score, otherwise
 * {@code otherwise}. With {@link Direction#AT_LEAST} (recall) a value meets a bound when {@code value >= bound};
 * with {@link Direction#AT_MOST} (rank) when {@code value <= bound}.
 */
public record TierTable(Direction direction, List<Tier> tiers, double otherwise) {

    /** Which side of a bound is good. */
    public enum Direction {
        AT_LEAST,
        AT_MOST
    }

    public TierTable {
        Objects.requireNonNull(direction, "direction");
        tiers = List.copyOf(tiers);
        if (tiers.isEmpty()) {
            throw new IllegalArgumentException("a tier table needs at least one tier");
        }
        for (int i = 1; i < tiers.size(); i++) {
            double previous = tiers.get(i - 1).bound();
            double current = tiers.get(i).bound();
            boolean ordered = direction == Direction.AT_LEAST ? current < previous : current > previous;
            if (!ordered) {
                throw new IllegalArgumentException("tier bounds must run from best to worst, got " + previous
                        + " then " + current);
            }
        }
        if (!Double.isFinite(otherwise)) {
            throw new IllegalArgumentException("the fallback score must be finite, got " + otherwise);
        }
    }

    /** The score for a metric value; NaN falls through to {@code otherwise}. */
    public double score(double value) {
        for (Tier tier : tiers) {
            boolean meets = direction == Direction.AT_LEAST ? value >= tier.bound() : value <= tier.bound();
            if (meets) {
                return tier.score();
            }
        }
        return otherwise;
    }
}

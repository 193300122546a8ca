package dev.deepretrieval.environments.reward;

/** One row of a tier table: metric values on the good side of {@code bound} score {@code score}. */
public record Tier(double bound, double score) {

    public Tier {
        if (!Double.isFinite(bound) || !Double.isFinite(score)) {
            throw new IllegalArgumentException("tier bound and score must be finite, got " + bound + " -> " + score);
        }
    }
}

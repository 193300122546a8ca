package dev.deepretrieval.actors;

import java.util.List;

/**
 * A batch of rollouts, with the time generation took.
 *
 * @param policyVersion the version that generated it (the oldest, when parts came from rollout workers on different
 *     versions; each rollout carries its own)
 * @param retries generations of the batch, or of parts of it, that were done again before it was whole
 */
public record RolloutBatch(long batchId, long policyVersion, List<Rollout> rollouts, double generateSeconds,
        int retries) implements PolicyActor.Generated {

    public RolloutBatch {
        rollouts = List.copyOf(rollouts);
    }

    /** A batch generated at the first attempt. */
    public RolloutBatch(long batchId, long policyVersion, List<Rollout> rollouts, double generateSeconds) {
        this(batchId, policyVersion, rollouts, generateSeconds, 0);
    }

    /** The same batch, done again {@code retries} times before it was whole. */
    public RolloutBatch withRetries(int retries) {
        return new RolloutBatch(batchId, policyVersion, rollouts, generateSeconds, retries);
    }
}

package dev.deepretrieval.actors;

import java.util.List;

/** A batch of rollouts from one policy version, with the time generation took. */
public record RolloutBatch(long batchId, long policyVersion, List<Rollout> rollouts, double generateSeconds)
        implements PolicyActor.Generated {

    public RolloutBatch {
        rollouts = List.copyOf(rollouts);
    }
}

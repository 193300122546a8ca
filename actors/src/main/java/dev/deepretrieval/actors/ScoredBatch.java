package dev.deepretrieval.actors;

import java.util.List;

/**
 * A rollout batch after scoring: the rollouts that were scored with their rewards, and how many failed (excluded
 * from the update, never given a reward).
 */
public record ScoredBatch(long batchId, long policyVersion, List<Rollout> rollouts, double[] rewards, int failed) {

    public ScoredBatch {
        rollouts = List.copyOf(rollouts);
        if (rewards.length != rollouts.size()) {
            throw new IllegalArgumentException("need one reward per scored rollout");
        }
    }
}

package dev.deepretrieval.actors;

import java.util.List;

/**
 * A rollout batch after scoring: the rollouts that were scored with their rewards, and how many failed (excluded
 * from the update, never given a reward).
 *
 * @param counterfactualRewards per scored rollout, the reward of each of its {@link Rollout#counterfactuals()}, in
 *     their order (empty arrays for rollouts without)
 */
public record ScoredBatch(long batchId, long policyVersion, List<Rollout> rollouts, double[] rewards, int failed,
        List<double[]> counterfactualRewards) {

    public ScoredBatch {
        rollouts = List.copyOf(rollouts);
        counterfactualRewards = List.copyOf(counterfactualRewards);
        if (rewards.length != rollouts.size() || counterfactualRewards.size() != rollouts.size()) {
            throw new IllegalArgumentException("need one reward and one counterfactual array per scored rollout");
        }
        for (int i = 0; i < rollouts.size(); i++) {
            if (counterfactualRewards.get(i).length != rollouts.get(i).counterfactuals().size()) {
                throw new IllegalArgumentException("rollout " + i + " has " + rollouts.get(i).counterfactuals().size()
                        + " counterfactuals but " + counterfactualRewards.get(i).length + " rewards for them");
            }
        }
    }

    /** A batch whose rollouts carry no counterfactuals. */
    public ScoredBatch(long batchId, long policyVersion, List<Rollout> rollouts, double[] rewards, int failed) {
        this(batchId, policyVersion, rollouts, rewards, failed,
                rollouts.stream().map(r -> new double[0]).toList());
    }
}

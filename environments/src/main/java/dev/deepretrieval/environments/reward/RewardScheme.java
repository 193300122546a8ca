package dev.deepretrieval.environments.reward;

/** Turns an {@link Outcome} into the scalar reward. */
public sealed interface RewardScheme permits AdditiveReward, GatedReward {

    double reward(Outcome outcome);

    /** The reward of a completion that fails the format check. */
    double formatPenalty();
}

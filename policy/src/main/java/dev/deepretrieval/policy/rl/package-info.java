/**
 * The RL learner's maths, free of actors: advantage estimation (GAE with masks, whitening, GRPO / Dr.GRPO / RLOO
 * group baselines), the KL estimators and controllers, and the PPO losses (clipped surrogate with separate low/high
 * clip and dual clip, clipped value loss, entropy bonus) with verl's loss-aggregation modes.
 *
 * <p>Advantages are computed in Java on the rollout's numbers (no gradients flow through them); losses are NDArray
 * functions so gradients reach the policy. Depends on DJL and nothing else in the project.
 */
package dev.deepretrieval.policy.rl;

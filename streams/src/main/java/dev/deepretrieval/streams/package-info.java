/**
 * Pekko Streams graphs that connect prompts, the policy actor, the environment actors and the learner with
 * backpressure end to end; every buffer is bounded.
 *
 * <p>May depend on {@code actors}, {@code tasks} (the prompts a run draws), {@code policy} and {@code environments}; never on {@code http} or {@code cli}.
 */
package dev.deepretrieval.streams;

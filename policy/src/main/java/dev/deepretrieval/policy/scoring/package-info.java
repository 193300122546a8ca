/**
 * Scoring given prompt + response token sequences: per-token log-probs and entropies of the response tokens (and
 * values, with a value head), batched and masked — the learner's inputs — with or without gradients.
 *
 * <p>Depends on {@code policy.model}.
 */
package dev.deepretrieval.policy.scoring;

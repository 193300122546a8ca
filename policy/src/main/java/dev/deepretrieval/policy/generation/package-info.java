/**
 * Batched sampling with a KV cache and left padding: temperature, top-p, top-k, greedy, stop token ids and stop
 * strings, seeded per sequence; each sampled token comes with its log-prob. Sampling itself runs in Java on the
 * last position's logits. The continuous-batching decode loop ({@code ContinuousBatcher} over a {@code DecodeBatch})
 * shares decode steps between requests, and the keys and values of prompt prefixes many prompts begin with
 * ({@code SharedPrefixes}: prefilled once, attended apart once rows share them).
 *
 * <p>Depends on {@code policy.model}.
 */
package dev.deepretrieval.policy.generation;

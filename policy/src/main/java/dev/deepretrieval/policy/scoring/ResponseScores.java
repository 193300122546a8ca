package dev.deepretrieval.policy.scoring;

import ai.djl.ndarray.NDArray;

/**
 * Per-response-token tensors aligned {@code [batch, longest response]}: entry {@code [b, r]} belongs to response
 * token {@code r} of sequence {@code b}; {@code mask} is 1 for real tokens and 0 for padding. {@code values} is null
 * without a value head. All arrays live in the caller's scope and carry gradients when computed with them.
 */
public record ResponseScores(NDArray logProbs, NDArray entropies, NDArray values, NDArray mask) {}

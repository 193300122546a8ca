package dev.deepretrieval.policy.model;

import ai.djl.ndarray.NDArray;

/**
 * A prompt prefix the sequences of a decode step share (a template's fixed head), attended once for all of them:
 * cascade attention. Its keys and values are held once ({@code prefix}, one sequence) instead of in every row of the
 * step's KV cache, each query scores them in one matrix product per head for the whole batch, and the softmax runs
 * over the prefix's scores and the row's own cached positions together, so the result is attention over the whole
 * sequence. Rows that do not start with the prefix have it hidden by {@code bias}.
 *
 * @param prefix the prefix's keys and values, one sequence, positions {@code 0 .. length - 1}
 * @param bias {@code [batch, 1, 1, length]}: 0 where a row starts with the prefix, {@link DecoderLm#MASKED} where not
 */
public record CascadePrefix(KvCache prefix, NDArray bias) {}

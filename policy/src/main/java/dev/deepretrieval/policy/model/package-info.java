/**
 * The Llama-family decoder on DJL's PyTorch engine: configuration, weights as NDArrays in the model's own manager,
 * the forward pass (RMSNorm, rotary embeddings, grouped-query attention with a causal mask, SwiGLU MLP, optional
 * Q/K/V biases, tied or separate output head), the KV cache, cascade attention over a prefix rows share, and the
 * value head; and the decoding step on the JVM for CPU decoding (a copy of the weights as {@link
 * dev.deepretrieval.policy.model.PanelMatrix}es and the element-wise {@code RowMath} on the Vector API, attention still
 * native), deterministic per row.
 *
 * <p>Every intermediate NDArray lives in a caller-supplied scope manager; nothing accumulates in the model's manager.
 * Depends on DJL, {@code jdk.incubator.vector} and {@code policy.weights}.
 */
package dev.deepretrieval.policy.model;

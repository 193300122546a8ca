/**
 * Reading model weights in plain Java: safetensors (single or sharded, F32/F16/BF16 widened to F32 before any
 * NDArray exists, since a BF16 NDArray aborts the JVM in DJL 0.35.1) and llama2.c checkpoints, both exposed under
 * Hugging Face tensor names.
 *
 * <p>Depends on Jackson only; no DJL.
 */
package dev.deepretrieval.policy.weights;

/**
 * Training checkpoints on disk: groups of named float32 tensors (policy, critic, optimizer moments) as safetensors
 * plus a JSON state (step, data cursor, RNG state, resolved config), written atomically with SHA-256 checksums,
 * pruned to the last N, and read back as the newest checkpoint that verifies.
 *
 * <p>Depends on DJL and {@code policy.weights}.
 */
package dev.deepretrieval.policy.checkpoint;

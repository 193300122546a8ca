/**
 * The policy: the language model that writes search queries, and the RL learner maths that improve it.
 *
 * <p>Holds the decoder LM on DJL (PyTorch engine), Hugging Face and llama2.c checkpoint loading, batched sampling
 * with a KV cache, log-prob and value scoring, PPO/GRPO losses and checkpoints.
 *
 * <p>Depends on DJL only. It must not depend on {@code environments}, {@code actors}, {@code streams},
 * {@code http} or {@code cli}.
 */
package dev.deepretrieval.policy;

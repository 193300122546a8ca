/**
 * Supervised language-model training: causal-LM pretraining on packed text and supervised fine-tuning on
 * prompt/target pairs (the cold start), with held-out loss, checkpoints and exact resume.
 *
 * <p>Depends on the model, scoring, optimiser and checkpoint packages of this module; knows nothing of retrieval,
 * actors, streams or HTTP.
 */
package dev.deepretrieval.policy.lm;

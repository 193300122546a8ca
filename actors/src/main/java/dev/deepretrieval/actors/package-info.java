/**
 * Pekko typed actors of the training service: the policy actor emitting rollout batches, one environment actor per
 * retriever type, the learner actor applying PPO/GRPO updates, and the run supervisor; a {@link
 * dev.deepretrieval.actors.RolloutScorer} scores a rollout wherever its environment runs, and messages that may cross
 * cluster nodes are marked {@link dev.deepretrieval.actors.ClusterMessage} (Jackson CBOR).
 *
 * <p>Each actor's protocol is nested under its {@code Command} interface as records with {@code replyTo} refs;
 * supervision is declared where a child is spawned. May depend on {@code policy} and {@code environments};
 * never on {@code streams}, {@code http} or {@code cli}.
 */
package dev.deepretrieval.actors;

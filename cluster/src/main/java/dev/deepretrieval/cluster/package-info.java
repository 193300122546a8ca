/**
 * The training service on Pekko Cluster: a node's roles ({@link NodeRole}) and addresses
 * ({@link ClusterNodeSettings}, turned into Pekko's cluster configuration), the membership it sees
 * ({@link ClusterMembers}) and the routes that show it. Membership is over Artery TCP on loopback unless the operator
 * says otherwise, downed by Pekko's split-brain resolver, and every cross-node message is serialised in Jackson CBOR
 * (the bindings and the resolver's strategy live in {@code application.conf}). Scoring on the env nodes
 * ({@link ClusterScoring}): one Cluster Sharding entity per (run, task, retriever) ({@link ScoringEntity}) that opens
 * the run's problem on its node, and a run's scorer that sends each rollout to it and sends it again, to wherever the
 * entity lives by then, when no reply comes. Generation on the rollout nodes ({@link ClusterRollouts}): a run's batches
 * cut into {@link RolloutChunk}s that a singleton {@link RolloutWorkManager} hands to the {@link RolloutWorker}s
 * pulling them, gathered once per (batch, index) by the run's {@link ChunkCollector}, each update's weights published
 * as a version the workers fetch ({@link RemoteGeneration}). {@link RunFailover}, a singleton on the learner nodes,
 * resumes the runs a removed learner node left running. {@link ClusterBenchmark} measures the cluster path. Each
 * node keeps to its share of the external APIs' rates
 * ({@link ApiBudgetShare}: the rate divided by the env and learner members). {@link ClusterNode} starts these on a
 * node.
 *
 * <p>Depends on the training runs (and what they depend on), Pekko Cluster and pekko-http; the CLI composes it.
 */
package dev.deepretrieval.cluster;

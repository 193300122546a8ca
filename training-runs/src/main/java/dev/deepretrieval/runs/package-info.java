/**
 * Training runs: the one run path ({@link dev.deepretrieval.runs.TrainingJob}) that {@code ./deepretrieval train} and
 * the runs API both take from a typed {@link dev.deepretrieval.runs.RunRequest}; the run folder and its outputs
 * ({@code metrics.jsonl}, {@code reward.png}, {@code summary.json}, {@code report.html}), validation during training,
 * the held-out evaluation; the {@link dev.deepretrieval.runs.RunControl} a job's starter holds (stop, pause, resume,
 * and what the run says); and the node's {@link dev.deepretrieval.runs.RunManager} actor (one per actor system,
 * {@link dev.deepretrieval.runs.RunManagers}) through which every starter starts, controls and follows runs. The
 * supervised runs that make a policy to start from are here too: pretraining
 * ({@link dev.deepretrieval.runs.PretrainingJob}) and the cold start ({@link dev.deepretrieval.runs.ColdStartJob}),
 * each from a {@link dev.deepretrieval.runs.SupervisedRun.Request}, told to a
 * {@link dev.deepretrieval.runs.SupervisedListener}. Where a node's runs score their rollouts
 * ({@link dev.deepretrieval.runs.RunScoring}: their own environment actor, or whatever the node places, such as a
 * cluster's env nodes). A run's weights by version for workers on other nodes
 * ({@link dev.deepretrieval.runs.WeightVersion}, fetched and verified by {@link dev.deepretrieval.runs.WeightFetcher}).
 * No command-line parsing and no printing.
 *
 * <p>May depend on {@code streams}, {@code actors}, {@code tasks} and below; never on {@code http}, {@code cluster} or
 * {@code cli}.
 */
package dev.deepretrieval.runs;

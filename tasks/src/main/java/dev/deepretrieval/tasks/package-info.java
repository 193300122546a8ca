/**
 * Task families: for BEIR, evidence QA, text-to-SQL and literature search, one place that recognises a dataset folder
 * and builds what a run needs of it (the training prompts, the environment that scores rewrites, the validation split
 * and the held-out evaluation with its significance tests), the {@code eval} baseline of each family
 * ({@link dev.deepretrieval.tasks.Baselines}, with a policy's rewrites: {@link dev.deepretrieval.tasks.PolicyRewrites}),
 * and the readers of the settings they take
 * ({@link dev.deepretrieval.tasks.Settings}, {@link dev.deepretrieval.tasks.Bm25Settings},
 * {@link dev.deepretrieval.tasks.RlSettingsReader}). A bad request is an
 * {@link dev.deepretrieval.tasks.InvalidTaskRequest} naming its field; what opening a task does is told to a
 * {@link dev.deepretrieval.tasks.Progress}. No command-line parsing and no printing.
 *
 * <p>May depend on {@code rewriter}, {@code environments}, {@code policy} and {@code io}; never on {@code actors},
 * {@code streams}, {@code http} or {@code cli}.
 */
package dev.deepretrieval.tasks;

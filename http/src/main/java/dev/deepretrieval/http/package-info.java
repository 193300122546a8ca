/**
 * Pekko HTTP: the rewrite service — REST, server-sent events and WebSocket streaming token by token, OpenAI-compatible
 * chat completions — over a hot-swappable served policy, behind guards (bearer token, per-client rate limit, body
 * limit, bounded generation slots, JSON errors); the training-runs API over the node's run manager
 * ({@link dev.deepretrieval.http.ManagedTrainingRuns}; it also serves a run's checkpointed weights by step, the bytes of
 * a published weight version) and the dashboard; all of it started as one node's service
 * ({@link dev.deepretrieval.http.RewriteServiceNode}, which takes further read routes from its caller).
 *
 * <p>May depend on {@code training-runs} (the run manager and requests), {@code tasks}, {@code rewriter},
 * {@code streams}, {@code actors}, {@code policy} and {@code environments}; never on {@code cluster} or {@code cli}.
 */
package dev.deepretrieval.http;

/**
 * Pekko HTTP: the rewrite service — REST, server-sent events and WebSocket streaming token by token, OpenAI-compatible
 * chat completions — over a hot-swappable served policy, behind guards (bearer token, per-client rate limit, body
 * limit, bounded generation slots, JSON errors).
 *
 * <p>May depend on {@code rewriter}, {@code streams}, {@code actors}, {@code policy} and {@code environments}; never on
 * {@code cli}.
 */
package dev.deepretrieval.http;

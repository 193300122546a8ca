/**
 * Pekko HTTP: the streaming rewrite endpoint (REST, SSE, WebSocket, OpenAI-compatible), the training-runs API and
 * the live dashboard.
 *
 * <p>May depend on {@code streams}, {@code actors}, {@code policy} and {@code environments}; never on {@code cli}.
 */
package dev.deepretrieval.http;

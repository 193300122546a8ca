/**
 * The paper's prompt templates per task (bundled resources), and the cold-start targets that restate the original
 * query in the answer format. Depends on {@code answer/} only.
 */
package dev.deepretrieval.environments.prompt;

/**
 * The policy applied to a retrieval task: render the task's prompt around the original query, generate, and parse
 * the rewritten query out of the completion as the reward does. Decoding is free, guided to the answer format
 * ({@code GuidedAnswer}) or extractive ({@code ExtractiveAnswer}: query reduction, a constraint that defines the
 * policy). Used by {@code eval --policy}, training and the rewrite endpoint.
 *
 * <p>Depends on policy and environments; knows nothing of actors, streams or HTTP.
 */
package dev.deepretrieval.rewriter;

/**
 * Retrieval environments for BEIR-style tasks (a query with graded judgments): the model's query runs through a
 * {@link dev.deepretrieval.environments.Retriever} (BM25, dense) and nDCG@k is rewarded with the paper's BEIR reward.
 *
 * <p>Depends on the other {@code environments} packages.
 */
package dev.deepretrieval.environments.retrieval;

/**
 * The BM25 retrieval environment: BEIR-style tasks (a query with graded judgments) scored by running the model's
 * query through Lucene BM25 and rewarding nDCG@k with the paper's BEIR reward.
 *
 * <p>Depends on the other {@code environments} packages.
 */
package dev.deepretrieval.environments.bm25;

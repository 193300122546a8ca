/**
 * Retrievers as reinforcement-learning environments: given a task instance and the model's text, an
 * {@link dev.deepretrieval.environments.Environment} parses the answer, runs the query against a real retriever and
 * returns the reward with the retrieval metrics.
 *
 * <p>Sub-packages: {@code beir} (dataset files), {@code lucene} (the BM25 index and query building),
 * {@code metrics} (trec_eval-style metrics), {@code answer} (format checks and answer extraction), {@code reward}
 * (the paper's reward tables as data) and {@code bm25} (the BM25 environment).
 *
 * <p>Depends on Lucene and Jackson only; knows nothing of actors, streams, http or the CLI.
 */
package dev.deepretrieval.environments;

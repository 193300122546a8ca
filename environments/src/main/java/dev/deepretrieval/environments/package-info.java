/**
 * Retrievers as reinforcement-learning environments: given a task instance and the model's text, an
 * {@link dev.deepretrieval.environments.Environment} parses the answer, runs the query against a real retriever and
 * returns the reward with the retrieval metrics.
 *
 * <p>Sub-packages: {@code beir} (dataset files), {@code lucene} (the BM25 index and query building),
 * {@code metrics} (trec_eval-style metrics), {@code answer} (format checks and answer extraction), {@code reward}
 * (the paper's reward tables as data), {@code retrieval} (the BEIR environment over BM25 or dense retrievers),
 * {@code dense} (ONNX sentence encoders, flat and HNSW indexes), {@code qa} (evidence QA), {@code sql} (text-to-SQL
 * over R2DBC), {@code search} (literature search: PubMed, ClinicalTrials.gov, local) and {@code prompt} (the paper's
 * prompt templates).
 *
 * <p>Depends on libraries only (Lucene, DJL/ONNX Runtime, R2DBC, the Pekko HTTP client, Jackson); knows nothing of this
 * project's actors, streams, http or CLI.
 */
package dev.deepretrieval.environments;

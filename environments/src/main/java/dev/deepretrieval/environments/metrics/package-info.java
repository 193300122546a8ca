/**
 * Retrieval metrics with trec_eval semantics (nDCG@k with graded gains, Recall@k, MRR@k, Hits@k), set recall for
 * ID-list tasks, run-level averaging as {@code trec_eval -c} does, and TREC run files.
 *
 * <p>Depends on {@code environments.beir} and the root {@code environments} package ({@code Hit}).
 */
package dev.deepretrieval.environments.metrics;

/**
 * Evidence-seeking QA: passage collections, questions with answer strings (JSON lines or DPR's TSV topics), the
 * DPR answer-match rule, Hits@k, and the environment that rewards the rank of the first answer-bearing passage.
 *
 * <p>Depends on {@code environments.beir} (corpus files), {@code lucene}, {@code answer} and {@code reward}.
 */
package dev.deepretrieval.environments.qa;

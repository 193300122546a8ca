/**
 * Reward tables as data: score tiers over a metric and the two ways the reference code combines a format score
 * with an answer score, with the paper's tables for literature search, evidence-seeking QA, BEIR and SQL.
 *
 * <p>No dependencies beyond the JDK.
 */
package dev.deepretrieval.environments.reward;

/**
 * BEIR-layout datasets read from a folder: {@code corpus.jsonl[.gz]}, {@code queries.jsonl[.gz]} and graded
 * {@code qrels/<split>.tsv}. Every malformed line fails with the file, the line number and the reason.
 *
 * <p>Depends on Jackson only.
 */
package dev.deepretrieval.environments.beir;

/**
 * The Lucene side of BM25 retrieval: the Anserini-compatible English analyser, the "flat" index (title and text in
 * one field) built once and cached on disk, query building from arbitrary model text (bag of words or Boolean) and
 * the searcher that returns ranked document ids.
 *
 * <p>Depends on Lucene and {@code environments.beir}.
 */
package dev.deepretrieval.environments.lucene;

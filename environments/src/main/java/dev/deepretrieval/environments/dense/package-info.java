/**
 * Dense retrieval: a local ONNX sentence encoder run with DJL's OnnxRuntime engine (bge-small-en-v1.5, quantized,
 * bundled through Maven; any ONNX encoder with a {@code tokenizer.json} by path), document embeddings computed once
 * and cached on disk, and exact (flat) or Lucene HNSW search.
 *
 * <p>Depends on DJL (OnnxRuntime engine, tokenizers), Lucene and {@code environments.beir}.
 */
package dev.deepretrieval.environments.dense;

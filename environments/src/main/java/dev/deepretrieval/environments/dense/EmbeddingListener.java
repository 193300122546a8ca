package dev.deepretrieval.environments.dense;

/** Progress of computing a corpus's embeddings, for progress bars. */
public interface EmbeddingListener {

    EmbeddingListener SILENT = new EmbeddingListener() {};

    default void started(String corpus, int documents) {}

    default void progress(String corpus, int done, int documents) {}

    default void finished(String corpus, int documents, long millis) {}
}

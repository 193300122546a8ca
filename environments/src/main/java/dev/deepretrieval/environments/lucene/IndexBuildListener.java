package dev.deepretrieval.environments.lucene;

/** Progress of an index build, for progress bars; called from the building thread. */
public interface IndexBuildListener {

    IndexBuildListener SILENT = new IndexBuildListener() {};

    /** The index is open and ready (after a build, or straight from the cache). */
    default void opened(String datasetName, int documents) {}

    /** A build started because no cached index matched the corpus. */
    default void started(String datasetName) {}

    /** {@code documents} documents have been indexed so far. */
    default void progress(String datasetName, int documents) {}

    /** The build finished; {@code skippedEmpty} documents had no text and were left out. */
    default void finished(String datasetName, int documents, int skippedEmpty, long millis) {}
}

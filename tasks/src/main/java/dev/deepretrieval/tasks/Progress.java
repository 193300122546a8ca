package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.dense.EmbeddingListener;
import dev.deepretrieval.environments.lucene.IndexBuildListener;

/**
 * Hears what opening a task does that its caller may want to show: the one-off builds (a BM25 index, a corpus's
 * embeddings) and notices about the task (prompts left out for length, a decoding that does not apply). The CLI
 * prints them; a service logs them.
 */
public interface Progress extends IndexBuildListener, EmbeddingListener {

    Progress SILENT = new Progress() {};

    /** Something about the task worth saying once (one line, no trailing newline). */
    default void notice(String message) {}
}

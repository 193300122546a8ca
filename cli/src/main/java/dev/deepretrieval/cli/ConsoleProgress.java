package dev.deepretrieval.cli;

import dev.deepretrieval.environments.dense.EmbeddingListener;
import dev.deepretrieval.environments.lucene.IndexBuildListener;
import java.io.PrintStream;
import java.util.Locale;

/** Reports index builds on stderr, so stdout stays clean for results and --json. */
final class ConsoleProgress implements IndexBuildListener, EmbeddingListener {

    private final PrintStream err;
    private int lastDecile;

    ConsoleProgress(PrintStream err) {
        this.err = err;
    }

    @Override
    public void started(String datasetName) {
        err.printf(Locale.ROOT, "building the BM25 index of %s (once; cached until the corpus changes)...%n", datasetName);
    }

    @Override
    public void progress(String datasetName, int documents) {
        err.printf(Locale.ROOT, "  %,d documents indexed%n", documents);
    }

    @Override
    public void started(String corpus, int documents) {
        err.printf(Locale.ROOT, "embedding %,d documents of %s (once; cached until the corpus or model changes)...%n",
                documents, corpus);
    }

    @Override
    public void progress(String corpus, int done, int documents) {
        int decile = documents == 0 ? 10 : (int) (10L * done / documents);
        if (decile > lastDecile) {
            lastDecile = decile;
            err.printf(Locale.ROOT, "  %,d / %,d embedded (%d%%)%n", done, documents, decile * 10);
        }
    }

    @Override
    public void finished(String corpus, int documents, long millis) {
        err.printf(Locale.ROOT, "embedded %,d documents of %s in %.1f s (%.0f/s)%n", documents, corpus, millis / 1000.0,
                documents / Math.max(millis / 1000.0, 1e-9));
    }

    @Override
    public void finished(String datasetName, int documents, int skippedEmpty, long millis) {
        err.printf(Locale.ROOT, "indexed %,d documents of %s in %.1f s%s%n", documents, datasetName, millis / 1000.0,
                skippedEmpty > 0 ? " (" + skippedEmpty + " empty documents skipped)" : "");
    }
}

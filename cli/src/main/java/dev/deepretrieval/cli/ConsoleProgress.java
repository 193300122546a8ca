package dev.deepretrieval.cli;

import dev.deepretrieval.environments.lucene.IndexBuildListener;
import java.io.PrintStream;
import java.util.Locale;

/** Reports index builds on stderr, so stdout stays clean for results and --json. */
final class ConsoleProgress implements IndexBuildListener {

    private final PrintStream err;

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
    public void finished(String datasetName, int documents, int skippedEmpty, long millis) {
        err.printf(Locale.ROOT, "indexed %,d documents of %s in %.1f s%s%n", documents, datasetName, millis / 1000.0,
                skippedEmpty > 0 ? " (" + skippedEmpty + " empty documents skipped)" : "");
    }
}

package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;

/** Reports index builds on stderr, so stdout stays clean for results and --json. */
final class ConsoleProgress implements Progress {

    private final PrintWriter err;
    private int lastDecile;

    /** Reports on {@code err} (a command's error stream), flushing each line. */
    ConsoleProgress(PrintWriter err) {
        this.err = err;
    }

    ConsoleProgress(PrintStream err) {
        this(new PrintWriter(err, true));
    }

    @Override
    public void started(String datasetName) {
        say("building the BM25 index of %s (once; cached until the corpus changes)...%n", datasetName);
    }

    @Override
    public void progress(String datasetName, int documents) {
        say("  %,d documents indexed%n", documents);
    }

    @Override
    public void started(String corpus, int documents) {
        say("embedding %,d documents of %s (once; cached until the corpus or model changes)...%n",
                documents, corpus);
    }

    @Override
    public void progress(String corpus, int done, int documents) {
        int decile = documents == 0 ? 10 : (int) (10L * done / documents);
        if (decile > lastDecile) {
            lastDecile = decile;
            say("  %,d / %,d embedded (%d%%)%n", done, documents, decile * 10);
        }
    }

    @Override
    public void finished(String corpus, int documents, long millis) {
        say("embedded %,d documents of %s in %.1f s (%.0f/s)%n", documents, corpus, millis / 1000.0,
                documents / Math.max(millis / 1000.0, 1e-9));
    }

    @Override
    public void finished(String datasetName, int documents, int skippedEmpty, long millis) {
        say("indexed %,d documents of %s in %.1f s%s%n", documents, datasetName, millis / 1000.0,
                skippedEmpty > 0 ? " (" + skippedEmpty + " empty documents skipped)" : "");
    }

    @Override
    public void notice(String message) {
        err.println(message);
        err.flush();
    }

    private void say(String format, Object... args) {
        err.printf(Locale.ROOT, format, args);
        err.flush();
    }
}

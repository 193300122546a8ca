package dev.deepretrieval.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr ({@code [####....] 120/800 15% loss 3.21 · 2,310 tok/s · ETA 6m12s}); on a
 * terminal it redraws in place, otherwise it prints a line every 5% so logs stay readable.
 */
final class ProgressBar {

    private static final int WIDTH = 24;

    private final PrintWriter err;
    private final int total;
    private final boolean interactive;
    private final long startNanos = System.nanoTime();
    private final int startStep;
    private int lastPrintedPercent = -1;

    ProgressBar(PrintWriter err, int startStep, int total) {
        this.err = err;
        this.startStep = startStep;
        this.total = Math.max(total, 1);
        this.interactive = System.console() != null;
    }

    void update(int step, String details) {
        int percent = (int) (100L * step / total);
        if (!interactive && percent / 5 == lastPrintedPercent / 5 && step != total) {
            return;
        }
        lastPrintedPercent = percent;
        int filled = (int) ((long) WIDTH * step / total);
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        int done = step - startStep;
        String eta = done > 0 ? duration(seconds / done * (total - step)) : "?";
        String line = String.format(Locale.ROOT, "[%s%s] %d/%d %3d%% %s · ETA %s", "#".repeat(filled),
                ".".repeat(WIDTH - filled), step, total, percent, details, eta);
        if (interactive) {
            err.print("\r" + line + "\u001b[K");
            if (step == total) {
                err.println();
            }
        } else {
            err.println(line);
        }
        err.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}

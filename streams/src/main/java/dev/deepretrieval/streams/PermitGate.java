package dev.deepretrieval.streams;

import java.util.function.IntConsumer;

/**
 * Hands permits back to the training graph's source as updates finish: paused, it holds them (no new batch starts;
 * batches in flight finish); resumed, it releases them; stopping, it holds them for good and calls back once the
 * last batch in flight has finished.
 */
public final class PermitGate {

    private final IntConsumer release;
    private int held;
    private int inFlight;
    private boolean paused;
    private Runnable onDrained;

    /** @param release offers {@code n} permits to the graph's source */
    PermitGate(IntConsumer release, int initialInFlight) {
        this.release = release;
        this.inFlight = initialInFlight;
    }

    /**
     * A permit arrived: counts a new batch in flight and returns true, or returns false once stopping (the graph's
     * source then completes). Checking and counting together means a stop never misses a batch that starts.
     */
    synchronized boolean tryStart() {
        if (onDrained != null) {
            return false;
        }
        inFlight++;
        return true;
    }

    /** A batch's update is done: its permit goes back, unless paused or stopping. */
    void finished() {
        Runnable drained = null;
        boolean give;
        synchronized (this) {
            inFlight--;
            give = !paused && onDrained == null;
            if (!give) {
                held++;
            }
            if (onDrained != null && inFlight == 0) {
                drained = onDrained;
            }
        }
        if (give) {
            release.accept(1);
        }
        if (drained != null) {
            drained.run();
        }
    }

    public void pause() {
        synchronized (this) {
            paused = true;
        }
    }

    public void resume() {
        int give;
        synchronized (this) {
            if (onDrained != null) {
                return;
            }
            paused = false;
            give = held;
            held = 0;
        }
        if (give > 0) {
            release.accept(give);
        }
    }

    /** Starts no further batch; {@code drained} runs once every batch in flight has finished (now, if none). */
    public void stop(Runnable drained) {
        boolean now;
        synchronized (this) {
            onDrained = drained;
            now = inFlight == 0;
        }
        if (now) {
            drained.run();
        }
    }
}

package dev.deepretrieval.environments.search;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * At most {@code slots} requests on the wire at once, waiters served in order without holding a thread. With as many
 * slots as pooled connections, a request never waits inside the HTTP pool — so it leaves when the rate limiter lets it,
 * and the limiter's spacing is the spacing the server sees.
 */
final class RequestSlots {

    private final Queue<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private int free;

    RequestSlots(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be >= 1");
        }
        this.free = slots;
    }

    /** Completes when a slot is the caller's. */
    synchronized CompletableFuture<Void> acquire() {
        if (free > 0) {
            free--;
            return CompletableFuture.completedFuture(null);
        }
        var turn = new CompletableFuture<Void>();
        waiting.add(turn);
        return turn;
    }

    /** Gives a slot back (to the longest waiter, if any). */
    void release() {
        CompletableFuture<Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                free++;
                return;
            }
        }
        next.complete(null);
    }
}

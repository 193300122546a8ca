package dev.deepretrieval.environments.search;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An API's request limit on this node, kept as the server counts it: {@code n} tokens per window (n = the rate ×
 * the window, the window one second, or longer for rates under one a second). A request holds a token from before it
 * is sent until its exchange is over, and the token comes back a whole window after that. Any two requests on one
 * token then arrive at the server at least a window apart — whatever the network, connection set-up or retries do
 * in between — so no window at the server ever sees more than n requests. Waiters hold no thread. Share one limiter
 * between every client of the API on the node.
 */
public final class RequestRateLimiter {

    /** A token held for one request; {@link #release()} when its exchange is over. */
    public final class Permit {
        private boolean released;

        /** The exchange is over: the token returns one window from now. */
        public void release() {
            synchronized (RequestRateLimiter.this) {
                if (released) {
                    return;
                }
                released = true;
            }
            CompletableFuture.runAsync(RequestRateLimiter.this::giveBack,
                    CompletableFuture.delayedExecutor(window.toNanos(), TimeUnit.NANOSECONDS));
        }
    }

    private final int tokens;
    private final Duration window;
    private final Queue<CompletableFuture<Permit>> waiting = new ArrayDeque<>();
    private int free;

    public RequestRateLimiter(double requestsPerSecond) {
        if (!(requestsPerSecond > 0)) {
            throw new IllegalArgumentException("need a positive rate, got " + requestsPerSecond);
        }
        if (requestsPerSecond >= 1) {
            this.tokens = (int) Math.floor(requestsPerSecond);
            this.window = Duration.ofSeconds(1);
        } else {
            this.tokens = 1;
            this.window = Duration.ofNanos((long) Math.ceil(1e9 / requestsPerSecond));
        }
        this.free = tokens;
    }

    /** Requests a window admits. */
    public int tokens() {
        return tokens;
    }

    public Duration window() {
        return window;
    }

    /** Completes with a permit when the caller may send. */
    public synchronized CompletableFuture<Permit> acquire() {
        if (free > 0) {
            free--;
            return CompletableFuture.completedFuture(new Permit());
        }
        var turn = new CompletableFuture<Permit>();
        waiting.add(turn);
        return turn;
    }

    private void giveBack() {
        CompletableFuture<Permit> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                free++;
                return;
            }
        }
        next.complete(new Permit());
    }
}

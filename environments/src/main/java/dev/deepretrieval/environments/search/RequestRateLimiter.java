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
 * between every client of the API on the node ({@link ApiBudgets}); on a cluster each node keeps to its
 * {@linkplain #share share} of the rate.
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
                    CompletableFuture.delayedExecutor(window().toNanos(), TimeUnit.NANOSECONDS));
        }
    }

    private final double requestsPerSecond;
    private final Queue<CompletableFuture<Permit>> waiting = new ArrayDeque<>();
    private int tokens;
    private Duration window;
    private int ways = 1;
    private int free; // below zero while a smaller share waits for tokens out under the larger one to come back

    public RequestRateLimiter(double requestsPerSecond) {
        if (!(requestsPerSecond > 0)) {
            throw new IllegalArgumentException("need a positive rate, got " + requestsPerSecond);
        }
        this.requestsPerSecond = requestsPerSecond;
        size(requestsPerSecond);
        this.free = tokens;
    }

    private void size(double rate) {
        if (rate >= 1) {
            tokens = (int) Math.floor(rate);
            window = Duration.ofSeconds(1);
        } else {
            tokens = 1;
            window = Duration.ofNanos((long) Math.ceil(1e9 / rate));
        }
    }

    /** The API's whole rate, as configured. */
    public double requestsPerSecond() {
        return requestsPerSecond;
    }

    /** Requests a window admits. */
    public synchronized int tokens() {
        return tokens;
    }

    public synchronized Duration window() {
        return window;
    }

    /** The nodes the API's rate is shared among now. */
    public synchronized int ways() {
        return ways;
    }

    /**
     * Keeps this node to a {@code 1/ways} share of the API's rate (the rate ÷ the nodes that call the API): the
     * tokens shrink or grow at once; tokens out beyond a smaller share are not handed out again until enough have come
     * back. A token out under the old window comes back after that window.
     */
    public void share(int ways) {
        if (ways < 1) {
            throw new IllegalArgumentException("a rate is shared among at least one node, not " + ways);
        }
        var ready = new java.util.ArrayList<CompletableFuture<Permit>>();
        synchronized (this) {
            int before = tokens;
            this.ways = ways;
            size(requestsPerSecond / ways);
            free += tokens - before;
            while (free > 0 && !waiting.isEmpty()) {
                free--;
                ready.add(waiting.poll());
            }
        }
        ready.forEach(turn -> turn.complete(new Permit()));
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
            if (free < 0 || waiting.isEmpty()) {
                free++;
                return;
            }
            next = waiting.poll();
        }
        next.complete(new Permit());
    }
}

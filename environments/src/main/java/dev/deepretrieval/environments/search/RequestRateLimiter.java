package dev.deepretrieval.environments.search;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A token bucket for one API on this node: every HTTP attempt (first tries, retries, further pages) takes a token;
 * a caller beyond the rate waits its turn without holding a thread. Share one limiter between every client of the
 * API on the node. Requests are spaced 5% under the configured rate, so jitter between here and the server does not
 * make the server count more than the limit.
 */
public final class RequestRateLimiter {

    private static final double HEADROOM = 0.95;

    private final double tokensPerNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private double tokens;
    private long updated;

    /** @param burst requests that may go at once after a quiet spell (1 = evenly spaced) */
    public RequestRateLimiter(double requestsPerSecond, int burst, LongSupplier nanoTime) {
        if (!(requestsPerSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("need a positive rate and burst >= 1");
        }
        this.tokensPerNano = requestsPerSecond * HEADROOM / 1e9;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.updated = nanoTime.getAsLong();
    }

    public RequestRateLimiter(double requestsPerSecond, int burst) {
        this(requestsPerSecond, burst, System::nanoTime);
    }

    /** Completes when the caller may send. */
    public CompletableFuture<Void> acquire() {
        long wait = reserve();
        return wait <= 0 ? CompletableFuture.completedFuture(null)
                : CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS));
    }

    /** Takes a token, going into debt when none is left; returns how long the caller must wait (ns). */
    synchronized long reserve() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (now - updated) * tokensPerNano);
        updated = now;
        tokens -= 1;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / tokensPerNano);
    }
}

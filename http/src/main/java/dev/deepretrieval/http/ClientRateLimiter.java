package dev.deepretrieval.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per client (refilled at {@code ratePerSecond}, holding at most {@code burst}); the least recently seen
 * clients are forgotten beyond {@code maxClients}, so memory stays bounded whatever the clients.
 */
public final class ClientRateLimiter {

    private static final int MAX_CLIENTS = 10_000;

    private final double ratePerNano;
    private final int burst;
    private final LongSupplier nanoTime;
    private static final class Bucket {
        double tokens;
        long refilled;

        Bucket(double tokens, long refilled) {
            this.tokens = tokens;
            this.refilled = refilled;
        }
    }

    private final Map<String, Bucket> buckets = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    public ClientRateLimiter(double ratePerSecond, int burst, LongSupplier nanoTime) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /** Takes a token for {@code client}; false when its bucket is empty. */
    public synchronized boolean tryAcquire(String client) {
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.computeIfAbsent(client, c -> new Bucket(burst, now));
        bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.refilled) * ratePerNano);
        bucket.refilled = now;
        if (bucket.tokens < 1) {
            return false;
        }
        bucket.tokens -= 1;
        return true;
    }

    /** Seconds until {@code client} has a token again (at least 1, for {@code Retry-After}). */
    public synchronized long retryAfterSeconds(String client) {
        Bucket bucket = buckets.get(client);
        double missing = bucket == null ? 0 : Math.max(0, 1 - bucket.tokens);
        return Math.max(1, (long) Math.ceil(missing / (ratePerNano * 1e9)));
    }
}

package dev.deepretrieval.environments.search;

import java.time.Duration;
import java.util.Objects;

/**
 * How one search API is called (deepretrieval.search.&lt;api&gt; in application.conf).
 *
 * @param baseUrl where the API lives (tests and mirrors point it elsewhere)
 * @param requestsPerSecond the API's limit for this node (NCBI: 3 without a key, 10 with; ClinicalTrials.gov about
 *     50 a minute)
 * @param callTimeout the longest one HTTP attempt may take
 * @param maxAttempts attempts per request (the first and its retries)
 * @param backoffMin the first retry's base delay (doubling per retry, jittered, up to {@code backoffMax})
 * @param breakerFailures consecutive failures that open the circuit breaker
 * @param breakerReset how long the breaker stays open before letting a trial call through
 * @param maxConnections the HTTP connection pool's size for this API
 */
public record ApiSettings(String baseUrl, double requestsPerSecond, Duration callTimeout, int maxAttempts,
        Duration backoffMin, Duration backoffMax, int breakerFailures, Duration breakerReset, int maxConnections) {

    public ApiSettings {
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (!(requestsPerSecond > 0) || maxAttempts < 1 || breakerFailures < 1 || maxConnections < 1
                || callTimeout.isNegative() || callTimeout.isZero() || backoffMin.isNegative()
                || backoffMax.compareTo(backoffMin) < 0 || breakerReset.isNegative() || breakerReset.isZero()) {
            throw new IllegalArgumentException("API settings out of range: " + this);
        }
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }
}

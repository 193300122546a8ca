package dev.deepretrieval.environments.sql;

import java.time.Duration;

/**
 * Limits on model-written SQL.
 *
 * @param statementTimeout the server stops a statement after this long (default 30 s)
 * @param rowCap most rows a result may have; a larger result is stopped and counts as a failed execution
 * @param maxConnections concurrent statements per database
 * @param orderSensitive compare results in order when the gold query has ORDER BY (the paper: never)
 * @param cacheEntries results of distinct statements kept for repeats
 */
public record SqlSettings(Duration statementTimeout, int rowCap, int maxConnections, boolean orderSensitive,
        int cacheEntries) {

    public SqlSettings {
        if (statementTimeout.isNegative() || statementTimeout.isZero() || rowCap < 1 || maxConnections < 1
                || cacheEntries < 1) {
            throw new IllegalArgumentException(
                    "need a positive statement timeout, row cap, connection count and cache size");
        }
    }

    public static SqlSettings defaults() {
        return new SqlSettings(Duration.ofSeconds(30), 100_000, 4, false, 4096);
    }
}

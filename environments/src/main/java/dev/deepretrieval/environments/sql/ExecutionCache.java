package dev.deepretrieval.environments.sql;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Results of statements already run, by (database, statement text), least recently used evicted first. Running the
 * same read-only statement on the same unchanging database gives the same rows, so a repeat (the same SQL across
 * rollouts, or a prediction identical to the gold query) is answered without a second execution, which also keeps
 * the answer stable where SQL leaves it open (ties at a LIMIT cut).
 */
final class ExecutionCache {

    private final Map<String, CompletableFuture<SqlExecution>> entries;
    private long hits;
    private long lookups;

    ExecutionCache(int capacity) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<SqlExecution>> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized CompletableFuture<SqlExecution> get(String databaseId, String statement,
            Supplier<CompletableFuture<SqlExecution>> run) {
        lookups++;
        String key = databaseId + '\u0000' + statement.strip();
        CompletableFuture<SqlExecution> cached = entries.get(key);
        if (cached != null) {
            hits++;
            return cached;
        }
        CompletableFuture<SqlExecution> fresh = run.get();
        entries.put(key, fresh);
        return fresh;
    }

    synchronized double hitRate() {
        return lookups == 0 ? 0 : (double) hits / lookups;
    }
}

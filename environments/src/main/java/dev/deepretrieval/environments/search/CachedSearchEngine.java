package dev.deepretrieval.environments.search;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A search engine behind a cache of (engine, normalised query, date limit, depth) → ids: a bounded LRU in memory,
 * then (optionally) the persistent {@link SearchResultStore}, so the same query across rollouts, epochs and restarts
 * costs no second call. Concurrent identical searches share one call. Failures are never cached.
 */
public final class CachedSearchEngine implements SearchEngine {

    private static final Logger LOG = LoggerFactory.getLogger(CachedSearchEngine.class);

    private final SearchEngine engine;
    private final Optional<SearchResultStore> store;
    private final Executor storeExecutor;
    private final Map<String, List<String>> memory;
    private final Map<String, CompletableFuture<List<String>>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong memoryHits = new AtomicLong();
    private final AtomicLong storeHits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    /**
     * @param maxEntries searches kept in memory (least recently used dropped first)
     * @param storeExecutor runs the store's blocking reads and writes
     */
    public CachedSearchEngine(SearchEngine engine, int maxEntries, Optional<SearchResultStore> store,
            Executor storeExecutor) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be >= 1, got " + maxEntries);
        }
        this.engine = engine;
        this.store = store;
        this.storeExecutor = storeExecutor;
        this.memory = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
                return size() > maxEntries;
            }
        };
    }

    @Override
    public String name() {
        return engine.name();
    }

    @Override
    public CompletionStage<List<String>> search(SearchRequest request) {
        String key = engine.name() + "\u0000" + request.normalisedQuery() + "\u0000"
                + request.maxDate().map(Object::toString).orElse("none") + "\u0000" + request.depth();
        synchronized (memory) {
            List<String> cached = memory.get(key);
            if (cached != null) {
                memoryHits.incrementAndGet();
                return CompletableFuture.completedFuture(cached);
            }
        }
        var mine = new CompletableFuture<List<String>>();
        CompletableFuture<List<String>> shared = inFlight.putIfAbsent(key, mine);
        if (shared != null) {
            memoryHits.incrementAndGet();
            return shared;
        }
        lookUp(request).thenCompose(stored -> {
            if (stored.isPresent()) {
                storeHits.incrementAndGet();
                return CompletableFuture.completedFuture(stored.get());
            }
            misses.incrementAndGet();
            return engine.search(request).thenApply(ids -> {
                List<String> copy = List.copyOf(ids);
                store.ifPresent(s -> CompletableFuture.runAsync(() -> s.save(engine.name(), request, copy), storeExecutor)
                        .exceptionally(e -> {
                            LOG.warn("search cache: cannot store a result ({}); it stays in memory only", e.toString());
                            return null;
                        }));
                return copy;
            });
        }).whenComplete((ids, failure) -> {
            if (failure == null) {
                synchronized (memory) {
                    memory.put(key, ids);
                }
            }
            inFlight.remove(key);
            if (failure == null) {
                mine.complete(ids);
            } else {
                mine.completeExceptionally(failure);
            }
        });
        return mine;
    }

    private CompletableFuture<Optional<List<String>>> lookUp(SearchRequest request) {
        if (store.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return CompletableFuture.supplyAsync(() -> store.get().find(engine.name(), request), storeExecutor)
                .exceptionally(e -> {
                    LOG.warn("search cache: cannot read the store ({}); asking the engine", e.toString());
                    return Optional.empty();
                });
    }

    @Override
    public Map<String, Double> stats() {
        return Map.of("search/cache_hit_rate", hitRate(), "search/engine_calls", (double) misses.get());
    }

    /** Searches answered from memory or by sharing a call in flight. */
    public long memoryHits() {
        return memoryHits.get();
    }

    /** Searches answered from the persistent store. */
    public long storeHits() {
        return storeHits.get();
    }

    /** Searches that went to the engine. */
    public long misses() {
        return misses.get();
    }

    /** The share of searches that cost no call (0 before any). */
    public double hitRate() {
        long hits = memoryHits.get() + storeHits.get();
        long all = hits + misses.get();
        return all == 0 ? 0 : (double) hits / all;
    }

    @Override
    public void close() {
        engine.close();
        store.ifPresent(SearchResultStore::close);
    }
}

package dev.deepretrieval.policy.generation;

import ai.djl.ndarray.NDManager;
import dev.deepretrieval.policy.model.BatchLayout;
import dev.deepretrieval.policy.model.DecoderLm;
import dev.deepretrieval.policy.model.KvCache;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Prompt beginnings shared by many requests (a prompt template's fixed head, hundreds of tokens before the query),
 * their keys and values computed once per model and copied into each joining sequence's cache, so a request
 * prefills only what follows its prefix (vLLM's automatic prefix caching, for prefixes named in advance).
 *
 * <p>Prefixes are {@linkplain #share named} from any thread; their keys and values are computed on the decode loop's
 * thread when a prompt first uses one, and the least recently used beyond {@code capacity} are freed. A prompt uses
 * the longest named prefix it starts with, always, so a request's arithmetic does not depend on what else is served.
 */
final class SharedPrefixes implements AutoCloseable {

    /** A prefix and its keys and values (one cache row). */
    record Entry(int[] tokens, KvCache cache) {}

    private final DecoderLm model;
    private final NDManager manager;
    private final int capacity;
    private final List<int[]> named = new CopyOnWriteArrayList<>();
    private final LinkedHashMap<Key, Entry> computed = new LinkedHashMap<>(16, 0.75f, true);

    SharedPrefixes(DecoderLm model, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("need room for at least one shared prefix");
        }
        this.model = model;
        this.manager = model.weights().manager().newSubManager();
        this.capacity = capacity;
    }

    /** Names a prefix (at least one token); the latest {@code capacity} named are kept, repeats ignored. */
    void share(int[] prefix) {
        if (prefix.length == 0) {
            throw new IllegalArgumentException("a shared prefix needs at least one token");
        }
        synchronized (named) {
            if (named.stream().noneMatch(p -> Arrays.equals(p, prefix))) {
                named.add(prefix.clone());
                while (named.size() > capacity) {
                    named.removeFirst();
                }
            }
        }
    }

    /**
     * The longest named prefix {@code prompt} starts with and goes on after (a prompt must prefill at least one token
     * of its own for its first logits), its keys and values computed if they are not yet; null if none.
     * Prefill thread only.
     */
    Entry longestFor(int[] prompt) {
        int[] best = null;
        for (int[] prefix : named) {
            if (prefix.length < prompt.length && (best == null || prefix.length > best.length)
                    && Arrays.equals(prefix, 0, prefix.length, prompt, 0, prefix.length)) {
                best = prefix;
            }
        }
        if (best == null) {
            return null;
        }
        Key key = new Key(best);
        Entry entry = computed.get(key);
        if (entry == null) {
            entry = new Entry(best, prefill(best));
            computed.put(key, entry);
            while (computed.size() > capacity) {
                Map.Entry<Key, Entry> eldest = computed.entrySet().iterator().next();
                eldest.getValue().cache().close();
                computed.remove(eldest.getKey());
            }
        }
        return entry;
    }

    /** Bytes the computed prefixes' keys and values hold. */
    long bytes() {
        return computed.values().stream().mapToLong(e -> e.cache().bytes()).sum();
    }

    private KvCache prefill(int[] prefix) {
        KvCache cache = new KvCache(manager, model.config().numLayers());
        try (NDManager step = manager.newSubManager()) {
            int[][] keyMask = new int[1][];
            BatchLayout.Inputs inputs = BatchLayout.leftPadded(step, new int[][] {prefix},
                    model.config().padTokenId().orElse(0), keyMask);
            model.hidden(step, inputs.ids(), inputs.positions(), inputs.attentionBias(), cache);
        }
        cache.compact();
        return cache;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Token arrays compared by content. */
    private record Key(int[] tokens) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && Arrays.equals(tokens, k.tokens);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(tokens);
        }
    }
}

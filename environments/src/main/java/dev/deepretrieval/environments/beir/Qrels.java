package dev.deepretrieval.environments.beir;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graded relevance judgments: query id → (document id → grade), in file order. A grade above zero means relevant,
 * as in trec_eval.
 */
public final class Qrels {

    private final Map<String, Map<String, Integer>> byQuery;

    public Qrels(Map<String, Map<String, Integer>> byQuery) {
        var copy = new LinkedHashMap<String, Map<String, Integer>>();
        byQuery.forEach((qid, judged) -> copy.put(qid, Collections.unmodifiableMap(new LinkedHashMap<>(judged))));
        this.byQuery = Collections.unmodifiableMap(copy);
    }

    /** Query ids in file order. */
    public List<String> queryIds() {
        return List.copyOf(byQuery.keySet());
    }

    /** The judgments of one query; empty when the query has none. */
    public Map<String, Integer> judgments(String queryId) {
        return byQuery.getOrDefault(queryId, Map.of());
    }

    /** All judgments by query id. */
    public Map<String, Map<String, Integer>> asMap() {
        return byQuery;
    }

    /** Number of judged (query, document) pairs. */
    public int judgmentCount() {
        return byQuery.values().stream().mapToInt(Map::size).sum();
    }

    /** The judgments of the queries in {@code queryIds} only (a subset evaluated on its own, such as validation). */
    public Qrels restrictedTo(java.util.Collection<String> queryIds) {
        var kept = new java.util.LinkedHashMap<String, Map<String, Integer>>();
        for (String id : queryIds) {
            Map<String, Integer> judged = judgments(id);
            if (!judged.isEmpty()) {
                kept.put(id, judged);
            }
        }
        return new Qrels(kept);
    }
}

package dev.deepretrieval.environments.retrieval;

import dev.deepretrieval.environments.Hit;
import java.util.List;

/**
 * Anserini's {@code -removeQuery} for BEIR (where some corpora hold the queries themselves): after retrieval, a hit
 * whose document id is the query's own id is dropped, so the list may be one shorter than asked for. The one place
 * every BEIR evaluation (eval, dense eval, validation and held-out runs) applies it.
 */
public final class RemoveQuery {

    private RemoveQuery() {}

    /** {@code hits} without the query's own document when {@code enabled}; as they are otherwise. */
    public static List<Hit> apply(boolean enabled, String queryId, List<Hit> hits) {
        return enabled ? hits.stream().filter(hit -> !hit.docId().equals(queryId)).toList() : hits;
    }
}

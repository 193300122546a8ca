package dev.deepretrieval.environments.retrieval;

import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.lucene.Bm25Searcher;
import dev.deepretrieval.environments.lucene.QueryMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Runs many queries through a searcher in parallel, like Pyserini's {@code batch_search(threads=…)}, keeping the
 * queries' order in the result.
 *
 * @param removeQuery drop a hit whose document id equals the query id, after retrieval (Anserini's
 *     {@code -removeQuery}: the list may then be one shorter than {@code hits})
 */
public record Bm25BatchSearch(Bm25Searcher searcher, QueryMode mode, int hits, boolean removeQuery) {

    public Bm25BatchSearch {
        if (hits < 1) {
            throw new IllegalArgumentException("hits must be >= 1, got " + hits);
        }
    }

    /** Hits per query id, in the order of {@code queries}. */
    public Map<String, List<Hit>> run(List<Query> queries, Executor executor) {
        var futures = new ArrayList<CompletableFuture<List<Hit>>>(queries.size());
        for (Query query : queries) {
            futures.add(CompletableFuture.supplyAsync(() -> searchOne(query), executor));
        }
        var results = new LinkedHashMap<String, List<Hit>>();
        for (int i = 0; i < queries.size(); i++) {
            results.put(queries.get(i).id(), futures.get(i).join());
        }
        return results;
    }

    private List<Hit> searchOne(Query query) {
        return RemoveQuery.apply(removeQuery, query.id(), searcher.search(query.text(), mode, hits));
    }

    /** Document ids per query, the shape the metrics take. */
    public static Map<String, List<String>> idsOf(Map<String, List<Hit>> hitsByQuery) {
        var ids = new LinkedHashMap<String, List<String>>();
        hitsByQuery.forEach((qid, hits) -> ids.put(qid, hits.stream().map(Hit::docId).toList()));
        return ids;
    }
}

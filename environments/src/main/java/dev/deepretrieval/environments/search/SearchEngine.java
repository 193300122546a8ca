package dev.deepretrieval.environments.search;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A literature search engine: PubMed, ClinicalTrials.gov, or a local Lucene corpus. The returned stage fails only
 * when the engine cannot answer (after its own retries); an answer with no hits is an empty list.
 */
public interface SearchEngine extends AutoCloseable {

    /** A short stable name ({@code pubmed}, {@code ctgov}, {@code local-cohen2006}), part of the cache key. */
    String name();

    /** Ids of the top {@code request.depth()} results, best first. */
    CompletionStage<List<String>> search(SearchRequest request);

    /** Running figures for metrics (for example a cache's hit rate), by name; none by default. */
    default Map<String, Double> stats() {
        return Map.of();
    }

    @Override
    default void close() {}
}

package dev.deepretrieval.environments.search;

import dev.deepretrieval.environments.lucene.Bm25Searcher;
import dev.deepretrieval.environments.lucene.QueryMode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * A literature engine on the machine: BM25 over a local corpus of titles and abstracts (the Cohen 2006 reviews'
 * citations), taking the Boolean queries the model writes for PubMed ({@code AND}, {@code OR}, {@code NOT},
 * parentheses, phrases; field tags ignored). It has no publication dates to filter by, so a date limit is ignored.
 */
public final class LocalSearchEngine implements SearchEngine {

    private final String name;
    private final Bm25Searcher searcher;
    private final Executor executor;

    public LocalSearchEngine(String name, Bm25Searcher searcher, Executor executor) {
        this.name = name;
        this.searcher = searcher;
        this.executor = executor;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletionStage<List<String>> search(SearchRequest request) {
        return CompletableFuture.supplyAsync(() -> searcher.searchIds(request.query(), QueryMode.BOOLEAN, request.depth()),
                executor);
    }
}

package dev.deepretrieval.environments.lucene;

import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.environments.Retriever;
import java.util.List;

/** BM25 as a {@link Retriever}: a searcher and the query mode model text is read in. */
public record Bm25Retriever(Bm25Searcher searcher, QueryMode mode) implements Retriever {

    @Override
    public String name() {
        return "bm25";
    }

    @Override
    public List<String> retrieve(String query, int depth) {
        return searcher.searchIds(query, mode, depth);
    }

    @Override
    public List<Hit> search(String query, int depth) {
        return searcher.search(query, mode, depth);
    }
}

package dev.deepretrieval.environments.dense;

import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.environments.Retriever;
import java.util.List;

/** Dense retrieval as a {@link Retriever}: the query (with the model's instruction) embedded, then searched. */
public record DenseRetriever(SentenceEncoder encoder, VectorIndex index) implements Retriever {

    @Override
    public String name() {
        return "dense";
    }

    @Override
    public List<String> retrieve(String query, int depth) {
        return search(query, depth).stream().map(Hit::docId).toList();
    }

    @Override
    public List<Hit> search(String query, int depth) {
        return index.search(encoder.encodeQueries(List.of(query), 1)[0], depth);
    }
}

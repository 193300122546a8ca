package dev.deepretrieval.environments.dense;

import dev.deepretrieval.environments.Hit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;

/** Exact search: every document's dot product, top k by a bounded heap; ties keep corpus order. */
public final class FlatVectorIndex implements VectorIndex {

    private final DocumentEmbeddings embeddings;

    public FlatVectorIndex(DocumentEmbeddings embeddings) {
        this.embeddings = embeddings;
    }

    private record Scored(int index, float score) {}

    @Override
    public List<Hit> search(float[] query, int k) {
        int dim = embeddings.dimension();
        if (query.length != dim) {
            throw new IllegalArgumentException("query has " + query.length + " dimensions, the index " + dim);
        }
        float[] vectors = embeddings.vectors();
        int n = embeddings.size();
        // worst on top: lower score, or later index on equal scores
        var heap = new PriorityQueue<Scored>(Math.min(k, Math.max(n, 1)) + 1, (a, b) -> a.score() != b.score()
                ? Float.compare(a.score(), b.score()) : Integer.compare(b.index(), a.index()));
        for (int i = 0; i < n; i++) {
            float score = 0;
            int base = i * dim;
            for (int d = 0; d < dim; d++) {
                score += vectors[base + d] * query[d];
            }
            if (heap.size() < k) {
                heap.add(new Scored(i, score));
            } else if (score > heap.peek().score()) {
                heap.poll();
                heap.add(new Scored(i, score));
            }
        }
        var best = new ArrayList<Scored>(heap);
        best.sort((a, b) -> a.score() != b.score() ? Float.compare(b.score(), a.score()) : Integer.compare(a.index(), b.index()));
        var hits = new ArrayList<Hit>(best.size());
        for (Scored s : best) {
            hits.add(new Hit(embeddings.ids().get(s.index()), s.score()));
        }
        return Collections.unmodifiableList(hits);
    }
}

package dev.deepretrieval.environments.dense;

import dev.deepretrieval.environments.Hit;
import java.util.List;

/** Nearest documents to a query vector by dot product (cosine, for normalised vectors). Thread-safe. */
public interface VectorIndex extends AutoCloseable {

    /** The {@code k} best documents with their dot products, best first. */
    List<Hit> search(float[] query, int k);

    @Override
    default void close() {}
}

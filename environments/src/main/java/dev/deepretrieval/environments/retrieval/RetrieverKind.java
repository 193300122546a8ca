package dev.deepretrieval.environments.retrieval;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The retrievers a BEIR task can score rewrites with. */
public enum RetrieverKind {
    /** Lucene BM25 with Anserini's settings. */
    BM25,
    /** A sentence encoder over the corpus's embeddings. */
    DENSE;

    /** The name users write: {@code bm25}, {@code dense}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a {@link #label()}; unknown names fail listing the known ones. */
    public static RetrieverKind parse(String text) {
        for (RetrieverKind kind : values()) {
            if (kind.label().equals(text.strip().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown retriever '" + text + "' (known: "
                + Arrays.stream(values()).map(RetrieverKind::label).collect(Collectors.joining(", ")) + ")");
    }
}

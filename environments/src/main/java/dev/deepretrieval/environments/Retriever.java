package dev.deepretrieval.environments;

import java.util.List;

/** Anything that turns query text into a ranked list of document ids: BM25, dense vectors, a search API. */
public interface Retriever {

    /** A short name for metrics and logs, e.g. {@code bm25} or {@code dense}. */
    String name();

    /** The ids of the top {@code depth} documents, best first; any text is accepted (no results is an empty list). */
    List<String> retrieve(String query, int depth);

    /** As {@link #retrieve}, with the retriever's scores (for run files). */
    List<Hit> search(String query, int depth);
}

package dev.deepretrieval.tasks;

/**
 * Literature search without a local corpus: the engine and the APIs' base URLs, each null for the configured one.
 *
 * @param engine {@code pubmed} or {@code ctgov}
 */
public record SearchEndpoints(String engine, String pubmedUrl, String ctgovUrl) {

    public static final SearchEndpoints CONFIGURED = new SearchEndpoints(null, null, null);
}

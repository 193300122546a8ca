package dev.deepretrieval.environments.search;

import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * One search: the query as the model wrote it, the latest publication date admitted (engines without a date filter
 * ignore it), and how many ids to fetch.
 */
public record SearchRequest(String query, Optional<LocalDate> maxDate, int depth) {

    public SearchRequest {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(maxDate, "maxDate");
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, got " + depth);
        }
    }

    /** The query with runs of whitespace as one space and no leading or trailing space (the cache key's form). */
    public String normalisedQuery() {
        return query.strip().replaceAll("\\s+", " ");
    }
}

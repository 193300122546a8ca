package dev.deepretrieval.environments;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of scoring one completion.
 *
 * @param reward the scalar reward, placed on the last response token by the learner
 * @param formatValid whether the completion passed the task's format check
 * @param query the query (or SQL) extracted from the answer, when there was one
 * @param metrics retrieval metrics by name (for example {@code "ndcg@10"}); empty when nothing was retrieved
 * @param retrievedIds the ranked ids the retriever returned, best first
 */
public record EnvironmentResult(
        double reward,
        boolean formatValid,
        Optional<String> query,
        Map<String, Double> metrics,
        List<String> retrievedIds) {

    public EnvironmentResult {
        Objects.requireNonNull(query, "query");
        metrics = Map.copyOf(metrics);
        retrievedIds = List.copyOf(retrievedIds);
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("reward must be finite, got " + reward);
        }
    }

    /** A result for a completion whose answer could not be used: no query, no retrieval. */
    public static EnvironmentResult withoutRetrieval(double reward, boolean formatValid, Optional<String> query) {
        return new EnvironmentResult(reward, formatValid, query, Map.of(), List.of());
    }
}

package dev.deepretrieval.environments.retrieval;

import java.util.Map;
import java.util.Objects;

/**
 * One retrieval task instance: a query and its graded judgments.
 *
 * @param queryId the dataset's query id
 * @param queryText the original query, which the prompt asks the model to rewrite
 * @param judgments document id → relevance grade (above zero is relevant)
 */
public record RetrievalTask(String queryId, String queryText, Map<String, Integer> judgments) {

    public RetrievalTask {
        Objects.requireNonNull(queryId, "queryId");
        Objects.requireNonNull(queryText, "queryText");
        judgments = Map.copyOf(judgments);
    }
}

package dev.deepretrieval.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.environments.metrics.TrecRun;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A task family's evaluation of a set of queries held out of training (the test split at the end of a run, or the
 * validation queries during it): the original queries (where they can be run as they are), and a policy's greedy
 * rewrites of them.
 */
public interface HeldOutEvaluation {

    /**
     * Metric means, and for a policy the share of rewrites in a valid format.
     *
     * @param perQuery the first metric's value per query id, for paired significance (empty where not kept)
     * @param run the ranking as a TREC run, where the family retrieves documents
     */
    public record Result(Map<String, Double> metrics, Optional<Double> formatValidRate, int queries,
            Map<String, Double> perQuery, Optional<TrecRun> run) {

        Result(Map<String, Double> metrics, Optional<Double> formatValidRate, int queries) {
            this(metrics, formatValidRate, queries, Map.of(), Optional.empty());
        }

        public ObjectNode toJson() {
            ObjectNode node = dev.deepretrieval.io.JsonMapping.mapper().createObjectNode();
            metrics.forEach(node::put);
            formatValidRate.ifPresent(rate -> node.put("format_valid_rate", rate));
            node.put("queries", queries);
            return node;
        }
    }

    /** What is evaluated, for the report (for example {@code "test split"}). */
    String label();

    /** The original queries retrieved as they are; empty where they are not queries (text-to-SQL questions). */
    Optional<Result> original() throws Exception;

    /** The greedy rewrites of a policy already loaded (a checkpoint's, during training). */
    Result rewritten(Policy policy) throws Exception;

    /** The greedy rewrites of the policy in the folder {@code model}, loaded on {@code device} for the call. */
    default Result rewritten(Path model, String device) throws Exception {
        try (Policy policy = PolicyLoader.load(model, Optional.empty(), PolicyLoader.device(device))) {
            return rewritten(policy);
        }
    }
}

package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A task family's held-out evaluation at the end of a training run: the original queries (where they can be run as
 * they are), and a policy's greedy rewrites of them.
 */
interface HeldOutEvaluation {

    /** Metric means, and for a policy the share of rewrites in a valid format. */
    record Result(Map<String, Double> metrics, Optional<Double> formatValidRate, int queries) {

        ObjectNode toJson() {
            ObjectNode node = Json.object();
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

    /** The greedy rewrites of the policy in {@code model}. */
    Result rewritten(Path model) throws Exception;
}

package dev.deepretrieval.environments.metrics;

import dev.deepretrieval.environments.beir.Qrels;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics averaged over a run, as {@code trec_eval -c} averages them: over every query of the qrels that has at
 * least one relevant judgment, a query the run has no results for scoring 0. Results for queries outside the qrels
 * are ignored.
 *
 * @param queries the number of queries averaged over
 * @param means the mean of each metric, by label, in the order requested
 * @param perQuery each query's metric values, by query id then label
 */
public record RunEvaluation(int queries, Map<String, Double> means, Map<String, Map<String, Double>> perQuery) {

    public RunEvaluation {
        means = Collections.unmodifiableMap(new LinkedHashMap<>(means));
        perQuery = Collections.unmodifiableMap(new LinkedHashMap<>(perQuery));
    }

    /** Evaluates ranked document ids per query id against the qrels. */
    public static RunEvaluation of(Map<String, List<String>> run, Qrels qrels, List<Metric> metrics) {
        var sums = new LinkedHashMap<String, Double>();
        metrics.forEach(m -> sums.put(m.label(), 0.0));
        var perQuery = new LinkedHashMap<String, Map<String, Double>>();
        int counted = 0;
        for (String queryId : qrels.queryIds()) {
            Map<String, Integer> judgments = qrels.judgments(queryId);
            if (RankingMetrics.relevantCount(judgments) == 0) {
                continue;
            }
            counted++;
            List<String> ranked = run.getOrDefault(queryId, List.of());
            var values = new LinkedHashMap<String, Double>();
            for (Metric metric : metrics) {
                double value = metric.compute(ranked, judgments);
                values.put(metric.label(), value);
                sums.merge(metric.label(), value, Double::sum);
            }
            perQuery.put(queryId, values);
        }
        int n = counted;
        var means = new LinkedHashMap<String, Double>();
        sums.forEach((label, sum) -> means.put(label, n == 0 ? 0 : sum / n));
        return new RunEvaluation(n, means, perQuery);
    }
}

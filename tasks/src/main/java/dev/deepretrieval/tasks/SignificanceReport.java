package dev.deepretrieval.tasks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.environments.metrics.PairedSignificance;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Paired significance between systems evaluated on the same queries (original queries, initial and trained policy),
 * on one metric per query: a paired t-test and a paired randomization test with 10,000 sign flips, two-sided, for
 * every pair in order. As JSON for {@code summary.json} and as a table for the console.
 */
public final class SignificanceReport {

    private final String metric;
    private final int queries;
    private final Map<String, PairedSignificance> pairs;

    private SignificanceReport(String metric, int queries, Map<String, PairedSignificance> pairs) {
        this.metric = metric;
        this.queries = queries;
        this.pairs = pairs;
    }

    /**
     * @param perQuery per system (in order), its metric value per query id; systems without per-query values are
     *     left out, and only queries every system has are compared
     */
    public static SignificanceReport of(String metric, Map<String, Map<String, Double>> perQuery, long seed) {
        var systems = new LinkedHashMap<String, Map<String, Double>>();
        perQuery.forEach((name, values) -> {
            if (!values.isEmpty()) {
                systems.put(name, values);
            }
        });
        List<String> ids = new ArrayList<>();
        if (!systems.isEmpty()) {
            for (String id : systems.values().iterator().next().keySet()) {
                if (systems.values().stream().allMatch(values -> values.containsKey(id))) {
                    ids.add(id);
                }
            }
        }
        var pairs = new LinkedHashMap<String, PairedSignificance>();
        List<String> names = List.copyOf(systems.keySet());
        if (ids.size() >= 2) {
            for (int later = 1; later < names.size(); later++) {
                for (int earlier = 0; earlier < later; earlier++) {
                    Map<String, Double> a = systems.get(names.get(earlier));
                    Map<String, Double> b = systems.get(names.get(later));
                    pairs.put(names.get(later) + " vs " + names.get(earlier), PairedSignificance.of(
                            ids.stream().map(a::get).toList(), ids.stream().map(b::get).toList(),
                            PairedSignificance.PERMUTATIONS, seed));
                }
            }
        }
        return new SignificanceReport(metric, ids.size(), pairs);
    }

    public boolean isEmpty() {
        return pairs.isEmpty();
    }

    public ObjectNode toJson() {
        ObjectNode node = dev.deepretrieval.io.JsonMapping.mapper().createObjectNode();
        node.put("metric", metric);
        node.put("queries", queries);
        node.put("tests", "paired t-test and paired randomization test (" + PairedSignificance.PERMUTATIONS
                + " sign flips), two-sided");
        ObjectNode all = node.putObject("pairs");
        pairs.forEach((name, p) -> all.putObject(name).put("mean_difference", p.meanDifference()).put("t", p.tStatistic())
                .put("t_test_p", p.tTestP()).put("randomization_p", p.randomizationP()));
        return node;
    }

    public void print(PrintWriter out) {
        out.printf(Locale.ROOT, "paired significance on %s over %d queries (two-sided):%n", metric, queries);
        out.printf(Locale.ROOT, "  %-22s %10s %8s %10s %14s%n", "comparison", "mean diff", "t", "t-test p",
                "randomization p");
        pairs.forEach((name, p) -> out.printf(Locale.ROOT, "  %-22s %+10.4f %8.3f %10.4g %14.4g%n", name,
                p.meanDifference(), p.tStatistic(), p.tTestP(), p.randomizationP()));
    }
}

package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.beir.Split;
import dev.deepretrieval.environments.lucene.Bm25Searcher;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.metrics.Metric;
import dev.deepretrieval.environments.metrics.RunEvaluation;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.environments.retrieval.Bm25BatchSearch;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * Held-out retrieval of one split: the original queries, or a policy's greedy rewrites of them (an answer that does
 * not parse retrieves nothing), through BM25, scored with trec_eval metrics.
 */
final class HeldOutEvaluation {

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

    private final BeirDataset dataset;
    private final Split split;
    private final Bm25Searcher searcher;
    private final QueryMode mode;
    private final List<Metric> metrics;
    private final ExecutorService pool;
    private final int maxQueries;

    /** @param maxQueries evaluate the split's first this many queries (0 = all) */
    HeldOutEvaluation(BeirDataset dataset, Split split, Bm25Searcher searcher, QueryMode mode, List<Metric> metrics,
            ExecutorService pool, int maxQueries) {
        this.dataset = dataset;
        this.split = split;
        this.searcher = searcher;
        this.mode = mode;
        this.metrics = metrics;
        this.pool = pool;
        this.maxQueries = maxQueries;
    }

    private List<Query> queries() {
        List<Query> all = dataset.queriesOf(split);
        return maxQueries > 0 && all.size() > maxQueries ? all.subList(0, maxQueries) : all;
    }

    Result original() throws Exception {
        return evaluate(queries(), Optional.empty());
    }

    /** Greedy rewrites by the policy in {@code model}. */
    Result rewritten(Path model, PromptTemplate template, String device, int maxTokens, int batchSize)
            throws Exception {
        List<Query> queries = queries();
        List<Rewrite> rewrites;
        try (Policy policy = PolicyLoader.load(model, Optional.empty(), PolicyLoader.device(device))) {
            rewrites = new QueryRewriter(policy, template).rewrite(queries.stream().map(Query::text).toList(), 1,
                    SamplingSettings.greedy(maxTokens, Set.of()), batchSize);
        }
        var rewritten = new ArrayList<Query>(queries.size());
        int valid = 0;
        for (int i = 0; i < queries.size(); i++) {
            rewritten.add(new Query(queries.get(i).id(), rewrites.get(i).queryOrEmpty()));
            valid += rewrites.get(i).formatValid() ? 1 : 0;
        }
        return evaluate(rewritten, Optional.of((double) valid / queries.size()));
    }

    private Result evaluate(List<Query> queries, Optional<Double> formatValidRate) throws Exception {
        int depth = metrics.stream().mapToInt(Metric::k).max().orElse(1000);
        Map<String, List<Hit>> results = new Bm25BatchSearch(searcher, mode, depth, true).run(queries, pool);
        var judged = new java.util.HashMap<String, Map<String, Integer>>();
        var qrels = dataset.qrels(split).orElseThrow();
        queries.forEach(q -> judged.put(q.id(), qrels.judgments(q.id())));
        RunEvaluation evaluation = RunEvaluation.of(Bm25BatchSearch.idsOf(results),
                new dev.deepretrieval.environments.beir.Qrels(judged), metrics);
        return new Result(evaluation.means(), formatValidRate, evaluation.queries());
    }
}

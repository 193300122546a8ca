package dev.deepretrieval.cli;

import dev.deepretrieval.environments.Retriever;
import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.beir.Qrels;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.beir.Split;
import dev.deepretrieval.environments.metrics.Metric;
import dev.deepretrieval.environments.metrics.RunEvaluation;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Held-out retrieval of one BEIR split through the run's retriever (BM25 or dense), scored with trec_eval metrics;
 * a rewrite that does not parse retrieves nothing, and a document with the query's own id is left out (as eval does).
 */
final class BeirHeldOut implements HeldOutEvaluation {

    private final BeirDataset dataset;
    private final Split split;
    private final Retriever retriever;
    private final List<Metric> metrics;
    private final ExecutorService pool;
    private final int maxQueries;
    private final GreedyRewriting rewriting;

    /** @param maxQueries evaluate the split's first this many queries (0 = all) */
    BeirHeldOut(BeirDataset dataset, Split split, Retriever retriever, List<Metric> metrics, ExecutorService pool,
            int maxQueries, GreedyRewriting rewriting) {
        this.dataset = dataset;
        this.split = split;
        this.retriever = retriever;
        this.metrics = metrics;
        this.pool = pool;
        this.maxQueries = maxQueries;
        this.rewriting = rewriting;
    }

    @Override
    public String label() {
        return dataset.name() + " " + split.label() + " split, " + retriever.name();
    }

    private List<Query> queries() {
        List<Query> all = dataset.queriesOf(split);
        return maxQueries > 0 && all.size() > maxQueries ? all.subList(0, maxQueries) : all;
    }

    @Override
    public Optional<Result> original() {
        return Optional.of(evaluate(queries(), Optional.empty()));
    }

    @Override
    public Result rewritten(Path model) {
        List<Query> queries = queries();
        List<Rewrite> rewrites = rewriting.rewrite(model, queries.stream()
                .map(q -> new QueryRewriter.Prompt(q.text(), rewriting.template().render(q.text()))).toList());
        var rewritten = new ArrayList<Query>(queries.size());
        for (int i = 0; i < queries.size(); i++) {
            rewritten.add(new Query(queries.get(i).id(), rewrites.get(i).queryOrEmpty()));
        }
        return evaluate(rewritten, Optional.of(GreedyRewriting.formatValidRate(rewrites)));
    }

    private Result evaluate(List<Query> queries, Optional<Double> formatValidRate) {
        int depth = metrics.stream().mapToInt(Metric::k).max().orElse(1000);
        var futures = new ArrayList<CompletableFuture<List<String>>>(queries.size());
        for (Query query : queries) {
            futures.add(CompletableFuture.supplyAsync(() -> query.text().isBlank() ? List.<String>of()
                    : retriever.retrieve(query.text(), depth + 1).stream()
                            .filter(id -> !id.equals(query.id())).limit(depth).toList(), pool));
        }
        var ranked = new LinkedHashMap<String, List<String>>();
        var judged = new HashMap<String, Map<String, Integer>>();
        Qrels qrels = dataset.qrels(split).orElseThrow();
        for (int i = 0; i < queries.size(); i++) {
            String id = queries.get(i).id();
            ranked.put(id, futures.get(i).join());
            judged.put(id, qrels.judgments(id));
        }
        RunEvaluation evaluation = RunEvaluation.of(ranked, new Qrels(judged), metrics);
        return new Result(evaluation.means(), formatValidRate, evaluation.queries());
    }
}

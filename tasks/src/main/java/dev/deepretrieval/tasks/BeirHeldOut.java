package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.Hit;
import dev.deepretrieval.environments.Retriever;
import dev.deepretrieval.environments.beir.Qrels;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.metrics.Metric;
import dev.deepretrieval.environments.metrics.RunEvaluation;
import dev.deepretrieval.environments.metrics.TrecRun;
import dev.deepretrieval.environments.retrieval.RemoveQuery;
import dev.deepretrieval.environments.retrieval.RewriteMode;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Held-out retrieval of a set of BEIR queries (a split, or the validation queries carved from the training split)
 * through the run's retriever (BM25 or dense), written as a TREC run of 1,000 hits (Anserini's tie order) and scored
 * with trec_eval metrics on that run. A rewrite is retrieved as the run's {@link RewriteMode} says: alone, or with the
 * original query; a rewrite that does not parse retrieves nothing (replace) or the original query (expand). A
 * document with the query's own id is left out after retrieval when {@code removeQuery} says so, as eval does.
 */
public final class BeirHeldOut implements HeldOutEvaluation {

    /** Hits per query in the run files, as Anserini's BEIR runs. */
    static final int RUN_DEPTH = 1000;

    private final String label;
    private final List<Query> queries;
    private final Qrels qrels;
    private final Retriever retriever;
    private final List<Metric> metrics;
    private final ExecutorService pool;
    private final GreedyRewriting rewriting;
    private final RewriteMode mode;
    private final boolean removeQuery;

    public BeirHeldOut(String label, List<Query> queries, Qrels qrels, Retriever retriever, List<Metric> metrics,
            ExecutorService pool, GreedyRewriting rewriting, RewriteMode mode, boolean removeQuery) {
        this.removeQuery = removeQuery;
        this.label = label;
        this.queries = List.copyOf(queries);
        this.qrels = qrels;
        this.retriever = retriever;
        this.metrics = metrics;
        this.pool = pool;
        this.rewriting = rewriting;
        this.mode = mode;
    }

    @Override
    public String label() {
        return label + ", " + retriever.name() + (mode.expand() ? ", " + mode : "");
    }

    @Override
    public Optional<Result> original() {
        return Optional.of(evaluate(queries, Optional.empty()));
    }

    @Override
    public Result rewritten(Policy policy) {
        return retrieveRewrites(rewriting.rewrite(policy, prompts()));
    }

    private List<QueryRewriter.Prompt> prompts() {
        return queries.stream().map(q -> new QueryRewriter.Prompt(q.text(), rewriting.template().render(q.text()))).toList();
    }

    private Result retrieveRewrites(List<Rewrite> rewrites) {
        var retrieved = new ArrayList<Query>(queries.size());
        for (int i = 0; i < queries.size(); i++) {
            Query original = queries.get(i);
            String text = rewrites.get(i).rewritten().map(r -> mode.retrievalQuery(original.text(), r))
                    .orElseGet(() -> mode.withoutRewrite(original.text()));
            retrieved.add(new Query(original.id(), text));
        }
        return evaluate(retrieved, Optional.of(GreedyRewriting.formatValidRate(rewrites)));
    }

    private Result evaluate(List<Query> retrieved, Optional<Double> formatValidRate) {
        int depth = Math.max(RUN_DEPTH, metrics.stream().mapToInt(Metric::k).max().orElse(RUN_DEPTH));
        var futures = new ArrayList<CompletableFuture<List<Hit>>>(retrieved.size());
        for (Query query : retrieved) {
            futures.add(CompletableFuture.supplyAsync(() -> query.text().isBlank() ? List.<Hit>of()
                    : RemoveQuery.apply(removeQuery, query.id(), retriever.search(query.text(), depth)), pool));
        }
        var hits = new LinkedHashMap<String, List<Hit>>();
        var judged = new HashMap<String, Map<String, Integer>>();
        for (int i = 0; i < retrieved.size(); i++) {
            String id = retrieved.get(i).id();
            hits.put(id, futures.get(i).join());
            judged.put(id, qrels.judgments(id));
        }
        TrecRun run = TrecRun.of(hits);
        RunEvaluation evaluation = RunEvaluation.of(run.rankedIds(), new Qrels(judged), metrics);
        String first = metrics.getFirst().label();
        var perQuery = new LinkedHashMap<String, Double>();
        evaluation.perQuery().forEach((qid, values) -> perQuery.put(qid, values.get(first)));
        return new Result(evaluation.means(), formatValidRate, evaluation.queries(), perQuery, Optional.of(run));
    }
}

package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.search.LiteratureEnvironment;
import dev.deepretrieval.environments.search.LiteratureTask;
import dev.deepretrieval.environments.search.SearchEngine;
import dev.deepretrieval.environments.search.SearchRequest;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Held-out literature search: mean recall at the depth of the original PICO query (the paper's baseline: the PICO
 * elements joined by OR) or of a policy's greedy rewrites. A search the engine could not answer counts as recall 0 and
 * is reported in {@code failed} (the paper's evaluation does the same).
 */
public final class LiteratureHeldOut implements HeldOutEvaluation {

    private final String label;
    private final List<LiteratureTask> tasks;
    private final SearchEngine engine;
    private final int depth;
    private final GreedyRewriting rewriting;

    public LiteratureHeldOut(String label, List<LiteratureTask> tasks, SearchEngine engine, int depth, GreedyRewriting rewriting) {
        this.label = label;
        this.tasks = List.copyOf(tasks);
        this.engine = engine;
        this.depth = depth;
        this.rewriting = rewriting;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public Optional<Result> original() {
        return Optional.of(evaluate(tasks.stream().map(LiteratureTask::originalQuery).toList(), Optional.empty()));
    }

    @Override
    public Result rewritten(Policy policy) {
        List<Rewrite> rewrites = rewriting.rewrite(policy, tasks.stream().map(t -> new QueryRewriter.Prompt(t.pico(),
                rewriting.template().render(t.pico()))).toList());
        return evaluate(rewrites.stream().map(Rewrite::queryOrEmpty).toList(),
                Optional.of(GreedyRewriting.formatValidRate(rewrites)));
    }

    /** Mean recall of one query per task (an empty query finds nothing). */
    public Result evaluate(List<String> queries, Optional<Double> formatValidRate) {
        var searches = new ArrayList<CompletableFuture<List<String>>>();
        for (int i = 0; i < tasks.size(); i++) {
            String query = queries.get(i);
            searches.add(query.isBlank() ? CompletableFuture.completedFuture(List.of())
                    : engine.search(new SearchRequest(query, tasks.get(i).reviewDate(), depth)).toCompletableFuture());
        }
        double sum = 0;
        int failed = 0;
        for (int i = 0; i < tasks.size(); i++) {
            try {
                sum += LiteratureEnvironment.recall(searches.get(i).join(), tasks.get(i));
            } catch (CompletionException e) {
                failed++;
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("recall@" + depth, tasks.isEmpty() ? 0 : sum / tasks.size());
        metrics.put("failed", (double) failed);
        return new Result(metrics, formatValidRate, tasks.size());
    }
}

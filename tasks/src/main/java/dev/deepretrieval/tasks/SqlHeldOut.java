package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.sql.SqlEnvironment;
import dev.deepretrieval.environments.sql.SqlEvaluation;
import dev.deepretrieval.environments.sql.SqlTask;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.rewriter.QueryRewriter;
import dev.deepretrieval.rewriter.Rewrite;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Held-out text-to-SQL: execution accuracy of a policy's greedy SQL on the held-out questions. There is no
 * "original" row: a question is not SQL.
 */
public final class SqlHeldOut implements HeldOutEvaluation {

    private final String label;
    private final List<SqlTask> tasks;
    private final SqlEnvironment environment;
    private final Function<SqlTask, String> prompt;
    private final int concurrency;
    private final GreedyRewriting rewriting;

    public SqlHeldOut(String label, List<SqlTask> tasks, SqlEnvironment environment, Function<SqlTask, String> prompt,
            int concurrency, GreedyRewriting rewriting) {
        this.label = label;
        this.tasks = List.copyOf(tasks);
        this.environment = environment;
        this.prompt = prompt;
        this.concurrency = concurrency;
        this.rewriting = rewriting;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public Optional<Result> original() {
        return Optional.empty();
    }

    @Override
    public Result rewritten(Policy policy) {
        List<Rewrite> rewrites = rewriting.rewrite(policy,
                tasks.stream().map(t -> new QueryRewriter.Prompt(t.question(), prompt.apply(t))).toList());
        SqlEvaluation evaluation = SqlEvaluation.of(environment, tasks, rewrites.stream().map(Rewrite::queryOrEmpty).toList(),
                concurrency);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("exec_acc", evaluation.executionAccuracy());
        return new Result(metrics, Optional.of(GreedyRewriting.formatValidRate(rewrites)), tasks.size());
    }
}

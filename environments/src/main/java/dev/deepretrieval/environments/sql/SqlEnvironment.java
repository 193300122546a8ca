package dev.deepretrieval.environments.sql;

import dev.deepretrieval.environments.Environment;
import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.answer.AnswerParser;
import dev.deepretrieval.environments.answer.ParsedAnswer;
import dev.deepretrieval.environments.reward.Outcome;
import dev.deepretrieval.environments.reward.RewardScheme;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Text-to-SQL as an environment: the answer's {@code "sql"} runs read-only on the task's database and its rows are
 * compared with the gold query's (as sets of tuples, the paper's rule; in order when the gold query has ORDER BY and
 * order sensitivity is on). SQL that is rejected, fails, times out or exceeds the row cap is a usable-format answer
 * that earns nothing. A gold query that does not execute makes the task unscoreable: the stage fails with
 * {@link GoldQueryException}, which callers count as a failed sample.
 *
 * <p>Metrics per completion: {@code exec_match} (1 or 0) and {@code executed} (1 when the prediction ran).
 */
public final class SqlEnvironment implements Environment<SqlTask> {

    /** The gold query of a task did not execute; the task cannot be scored. */
    public static final class GoldQueryException extends RuntimeException {
        public GoldQueryException(SqlTask task, SqlExecution execution) {
            super("gold SQL of " + task.id() + " did not execute (" + execution.status() + ": " + execution.detail() + ")");
        }
    }

    private final SpiderDatabases databases;
    private final SqlSettings settings;
    private final RewardScheme reward;
    private final AnswerParser parser;
    private final Map<String, CompletableFuture<SqlExecution>> goldResults = new ConcurrentHashMap<>();
    private final ExecutionCache cache;

    public SqlEnvironment(SpiderDatabases databases, SqlSettings settings, AnswerFormat format, RewardScheme reward) {
        this.databases = databases;
        this.settings = settings;
        this.reward = reward;
        this.parser = new AnswerParser(format, "sql");
        this.cache = new ExecutionCache(settings.cacheEntries());
    }

    @Override
    public String name() {
        return "sql";
    }

    @Override
    public CompletionStage<EnvironmentResult> score(SqlTask task, String completion) {
        ParsedAnswer answer = parser.parse(completion);
        if (!answer.structureAndJsonValid()) {
            return CompletableFuture.completedFuture(EnvironmentResult.withoutRetrieval(
                    reward.reward(new Outcome.FormatInvalid()), false, answer.value()));
        }
        Optional<String> sql = answer.value();
        if (sql.isEmpty()) {
            return CompletableFuture.completedFuture(EnvironmentResult.withoutRetrieval(
                    reward.reward(new Outcome.AnswerUnusable()), true, Optional.empty()));
        }
        return compare(task, sql.get()).thenApply(match -> result(sql.get(), match));
    }

    /** The gold result of a task (run once, then cached). */
    public CompletionStage<SqlExecution> gold(SqlTask task) {
        return goldResults.computeIfAbsent(task.id(), id -> run(task.databaseId(), task.goldSql()));
    }

    /** Runs {@code sql} for {@code task} and compares it with the gold result. */
    public CompletionStage<Match> compare(SqlTask task, String sql) {
        return gold(task).thenCompose(gold -> {
            if (!gold.succeeded()) {
                throw new GoldQueryException(task, gold);
            }
            return run(task.databaseId(), sql).thenApply(predicted -> {
                boolean matched = predicted.succeeded() && (settings.orderSensitive() && task.goldIsOrdered()
                        ? ExecutionMatch.ordered(predicted.rows(), gold.rows())
                        : ExecutionMatch.asSets(predicted.rows(), gold.rows()));
                return new Match(predicted, matched);
            });
        });
    }

    private CompletableFuture<SqlExecution> run(String databaseId, String sql) {
        return cache.get(databaseId, sql, () -> databases.executor(databaseId).execute(sql).toFuture());
    }

    /** Share of executions answered from the cache. */
    public double cacheHitRate() {
        return cache.hitRate();
    }

    /** A prediction's execution and whether it matched the gold rows. */
    public record Match(SqlExecution predicted, boolean matched) {}

    private EnvironmentResult result(String sql, Match match) {
        Outcome outcome = match.predicted().succeeded() ? new Outcome.Measured(match.matched() ? 1 : 0)
                : new Outcome.AnswerUnusable();
        return new EnvironmentResult(reward.reward(outcome), true, Optional.of(sql),
                Map.of("exec_match", match.matched() ? 1.0 : 0.0, "executed", match.predicted().succeeded() ? 1.0 : 0.0),
                List.of());
    }
}

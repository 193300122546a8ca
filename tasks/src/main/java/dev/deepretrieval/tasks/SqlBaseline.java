package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.beir.Query;
import dev.deepretrieval.environments.reward.PaperRewards;
import dev.deepretrieval.environments.sql.SpiderDatabases;
import dev.deepretrieval.environments.sql.SpiderDataset;
import dev.deepretrieval.environments.sql.SqlEnvironment;
import dev.deepretrieval.environments.sql.SqlEvaluation;
import dev.deepretrieval.environments.sql.SqlSettings;
import dev.deepretrieval.environments.sql.SqlTask;
import dev.deepretrieval.rewriter.QueryRewriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code eval} on a text-to-SQL dataset: every question's SQL (the gold query itself, or the policy's answer)
 * executed read-only and compared with the gold rows; execution accuracy over the questions whose gold query runs.
 */
public final class SqlBaseline {

    /**
     * @param server the database server, described; statementTimeout and rowCap its read-only limits
     * @param seconds prediction and gold executed
     */
    public record Result(String dataset, int databases, String server, Duration statementTimeout, int rowCap,
            SqlEvaluation evaluation, double seconds, Optional<PolicyRewrites.Outcome> rewritten)
            implements Baselines.Result {}

    private SqlBaseline() {}

    static Result evaluate(Settings settings, DatasetResolver.Resolved resolved, Baselines.Request request)
            throws Exception {
        SpiderDataset data = SpiderDataset.open(resolved.name(), resolved.folder());
        SqlSettings limits = SqlSetup.settings(settings);
        try (SpiderDatabases databases = SqlSetup.load(settings, data, SqlSetup.server(settings, request.sqlUrl()),
                limits, request.progress())) {
            List<SqlTask> tasks = data.questions();
            List<String> predictions;
            Optional<PolicyRewrites.Outcome> rewritten = Optional.empty();
            if (request.rewriting().isPresent()) {
                PolicyRewrites.Outcome outcome = PolicyRewrites.rewrite(settings, request.rewriting().get(), data.name(),
                        tasks.stream().map(t -> new Query(t.id(), t.question())).toList(),
                        template -> tasks.stream().map(t -> new QueryRewriter.Prompt(t.question(), template.render(
                                t.question(), Map.of("schema", databases.schema(t.databaseId()).promptText())))).toList());
                predictions = outcome.retrievedQueries().stream().map(Query::text).toList();
                rewritten = Optional.of(outcome);
            } else {
                predictions = tasks.stream().map(SqlTask::goldSql).toList();
            }
            var environment = new SqlEnvironment(databases, limits, AnswerFormat.THINK_THEN_ANSWER, PaperRewards.SQL);
            long start = System.nanoTime();
            SqlEvaluation evaluation = SqlEvaluation.of(environment, tasks, predictions, limits.maxConnections() * 4);
            return new Result(data.name(), data.databaseIds().size(), databases.server().describe(),
                    limits.statementTimeout(), limits.rowCap(), evaluation, (System.nanoTime() - start) / 1e9,
                    rewritten);
        }
    }
}

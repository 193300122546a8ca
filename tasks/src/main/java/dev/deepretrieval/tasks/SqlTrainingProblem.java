package dev.deepretrieval.tasks;

import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.reward.PaperRewards;
import dev.deepretrieval.environments.sql.SpiderDataset;
import dev.deepretrieval.environments.sql.SpiderDatabases;
import dev.deepretrieval.environments.sql.SqlEnvironment;
import dev.deepretrieval.environments.sql.SqlExecution;
import dev.deepretrieval.environments.sql.SqlSettings;
import dev.deepretrieval.environments.sql.SqlTask;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Text-to-SQL as a training problem: each question prompted with its database's schema, the model's SQL run read-only
 * and rewarded by execution match through the paper's SQL reward. Questions whose gold query does not run on the
 * server are left out of training (they cannot be scored); held out: one question in {@code heldout.every}, scored
 * by execution accuracy.
 */
public final class SqlTrainingProblem {

    private SqlTrainingProblem() {}

    public static TrainingProblem<SqlTask> open(Settings settings, SpiderDataset dataset, String sqlUrl, GreedyRewriting rewriting,
            PromptBudget budget, Progress progress) throws Exception {
        var split = EveryNth.of(settings);
        SqlSettings limits = SqlSetup.settings(settings);
        var owned = new OwnedResources();
        try {
            SpiderDatabases databases = owned.add(SqlSetup.load(settings, dataset, SqlSetup.server(settings, sqlUrl), limits, progress));
            var environment = new SqlEnvironment(databases, limits, AnswerFormat.THINK_THEN_ANSWER, PaperRewards.SQL);
            Function<SqlTask, String> prompt = t -> rewriting.template().render(t.question(),
                    Map.of("schema", databases.schema(t.databaseId()).promptText()));
            List<SqlTask> trainedOn = split.trainedOn(dataset.questions());
            List<SqlTask> scoreable = withRunningGold(environment, trainedOn, limits.maxConnections() * 4);
            if (scoreable.size() < trainedOn.size()) {
                progress.notice(String.format(Locale.ROOT, "%d of %d training questions left out: their gold query"
                        + " does not run on %s", trainedOn.size() - scoreable.size(), trainedOn.size(),
                        databases.server().describe()));
            }
            TrainingTasks<SqlTask> tasks = budget.fitting(TrainingTasks.of(scoreable, SqlTask::id, SqlTask::question, prompt));
            var heldOut = new SqlHeldOut(dataset.name() + ", " + split.label("questions"), split.heldOut(dataset.questions()),
                    environment, prompt,
                    limits.maxConnections() * 4, rewriting);
            return new TrainingProblem<>(dataset.name(), "text-to-sql", "exec_match", rewriting.template(),
                    rewriting.decoding(), tasks,
                    environment, heldOut, java.util.Optional.empty(), owned);
        } catch (Exception | Error e) {
            owned.close();
            throw e;
        }
    }

    /** The tasks whose gold query executes, {@code concurrency} at a time (each gold result stays cached). */
    private static List<SqlTask> withRunningGold(SqlEnvironment environment, List<SqlTask> tasks, int concurrency) {
        var running = new ArrayList<SqlTask>();
        for (int from = 0; from < tasks.size(); from += concurrency) {
            List<SqlTask> window = tasks.subList(from, Math.min(tasks.size(), from + concurrency));
            var golds = new ArrayList<CompletableFuture<SqlExecution>>(window.size());
            window.forEach(t -> golds.add(environment.gold(t).toCompletableFuture()));
            for (int i = 0; i < window.size(); i++) {
                if (golds.get(i).join().succeeded()) {
                    running.add(window.get(i));
                }
            }
        }
        return running;
    }
}

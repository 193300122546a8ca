package dev.deepretrieval.environments.sql;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Execution accuracy of predicted SQL over a question set: the share of questions whose gold query executes for
 * which the prediction's rows match the gold rows. Questions whose gold query does not execute cannot be scored;
 * they are counted, not guessed.
 *
 * @param questions questions evaluated
 * @param goldExecuted questions whose gold query executed
 * @param matched predictions that matched (among those)
 * @param predictionStatus how the predictions of scoreable questions ended
 */
public record SqlEvaluation(int questions, int goldExecuted, int matched,
        Map<SqlExecution.Status, Integer> predictionStatus) {

    public double executionAccuracy() {
        return goldExecuted == 0 ? 0 : (double) matched / goldExecuted;
    }

    public double goldExecutionRate() {
        return questions == 0 ? 0 : (double) goldExecuted / questions;
    }

    /**
     * Runs every prediction (an empty string for a question without one) against its question's gold result,
     * {@code concurrency} at a time.
     */
    public static SqlEvaluation of(SqlEnvironment environment, List<SqlTask> tasks, List<String> predictions,
            int concurrency) {
        if (tasks.size() != predictions.size()) {
            throw new IllegalArgumentException("need one prediction per task");
        }
        int goldExecuted = 0;
        int matched = 0;
        var statuses = new EnumMap<SqlExecution.Status, Integer>(SqlExecution.Status.class);
        for (int from = 0; from < tasks.size(); from += concurrency) {
            int to = Math.min(tasks.size(), from + concurrency);
            var window = new ArrayList<CompletableFuture<SqlEnvironment.Match>>();
            for (int i = from; i < to; i++) {
                window.add(environment.compare(tasks.get(i), predictions.get(i)).toCompletableFuture());
            }
            for (CompletableFuture<SqlEnvironment.Match> future : window) {
                SqlEnvironment.Match match;
                try {
                    match = future.join();
                } catch (CompletionException e) {
                    if (e.getCause() instanceof SqlEnvironment.GoldQueryException) {
                        continue;
                    }
                    throw e;
                }
                goldExecuted++;
                matched += match.matched() ? 1 : 0;
                statuses.merge(match.predicted().status(), 1, Integer::sum);
            }
        }
        return new SqlEvaluation(tasks.size(), goldExecuted, matched, Map.copyOf(statuses));
    }
}

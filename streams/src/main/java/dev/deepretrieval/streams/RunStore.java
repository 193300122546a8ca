package dev.deepretrieval.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepretrieval.environments.sql.R2dbcDatabase;
import dev.deepretrieval.io.JsonMapping;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Runs, per-step metrics and sampled rollouts in a relational database through R2DBC: an embedded H2 file by
 * default, PostgreSQL (or MariaDB) by URL. Steps are upserted by (run, step), so a resumed run that repeats a step
 * replaces it instead of storing it twice.
 */
public final class RunStore implements AutoCloseable {

    private static final ObjectMapper JSON = JsonMapping.mapper();

    private final R2dbcDatabase database;

    private RunStore(R2dbcDatabase database) {
        this.database = database;
        createTables();
    }

    /** An H2 database file at {@code file} (without the {@code .mv.db} suffix). */
    public static RunStore embedded(Path file) {
        return new RunStore(R2dbcDatabase.embedded(file));
    }

    /** A store by R2DBC URL ({@code r2dbc:postgresql://postgres@127.0.0.1:5432/test}). */
    public static RunStore of(String url) {
        return new RunStore(R2dbcDatabase.of(url));
    }

    private void createTables() {
        String text = database.textType();
        database.executeAll(List.of(
                "CREATE TABLE IF NOT EXISTS dr_runs (run_id VARCHAR(64) PRIMARY KEY, created VARCHAR(40) NOT NULL,"
                        + " status VARCHAR(20) NOT NULL, config " + text + " NOT NULL)",
                "CREATE TABLE IF NOT EXISTS dr_steps (run_id VARCHAR(64) NOT NULL, step BIGINT NOT NULL,"
                        + " reward_mean DOUBLE PRECISION NOT NULL, metric_mean DOUBLE PRECISION NOT NULL,"
                        + " format_valid_rate DOUBLE PRECISION NOT NULL, policy_version BIGINT NOT NULL,"
                        + " failed INT NOT NULL, metrics " + text + " NOT NULL, PRIMARY KEY (run_id, step))",
                "CREATE TABLE IF NOT EXISTS dr_rollouts (run_id VARCHAR(64) NOT NULL, step BIGINT NOT NULL,"
                        + " sample INT NOT NULL, prompt " + text + " NOT NULL, output " + text + " NOT NULL,"
                        + " parsed_query " + text + ", reward DOUBLE PRECISION NOT NULL, metric DOUBLE PRECISION NOT NULL,"
                        + " policy_version BIGINT NOT NULL, PRIMARY KEY (run_id, step, sample))"));
    }

    /** Records a run (or updates its status and config when it exists). */
    public void saveRun(String runId, String status, Map<String, Object> config) {
        String json = toJson(config);
        database.inTransaction(c -> database.execute(c, "DELETE FROM dr_runs WHERE run_id = " + database.mark(0), runId)
                .then(database.execute(c, "INSERT INTO dr_runs (run_id, created, status, config) VALUES ("
                        + database.marks(4) + ")", runId, Instant.now().toString(), status, json)));
    }

    /** Stores a step and its sampled rollouts in one transaction, replacing an earlier copy of the same step. */
    public void saveStep(String runId, StepReport report) {
        database.inTransaction(c -> {
            Mono<Void> work = database.execute(c, "DELETE FROM dr_steps WHERE run_id = " + database.mark(0)
                            + " AND step = " + database.mark(1), runId, report.step())
                    .then(database.execute(c, "DELETE FROM dr_rollouts WHERE run_id = " + database.mark(0)
                            + " AND step = " + database.mark(1), runId, report.step()))
                    .then(database.execute(c, "INSERT INTO dr_steps (run_id, step, reward_mean, metric_mean,"
                                    + " format_valid_rate, policy_version, failed, metrics) VALUES (" + database.marks(8) + ")",
                            runId, report.step(), report.rewardMean(), report.metricMean(), report.formatValidRate(),
                            report.policyVersion(), report.failed(), toJson(report.metrics())));
            for (int i = 0; i < report.samples().size(); i++) {
                StepReport.SampleRecord s = report.samples().get(i);
                work = work.then(database.execute(c, "INSERT INTO dr_rollouts (run_id, step, sample, prompt, output,"
                                + " parsed_query, reward, metric, policy_version) VALUES (" + database.marks(9) + ")",
                        runId, report.step(), i, s.original(), s.completion(), s.parsedQuery(), s.reward(), s.metric(),
                        s.policyVersion()));
            }
            return work;
        });
    }

    /** Steps stored for a run, in order: (step, reward_mean, metric_mean, format_valid_rate, policy_version). */
    public List<double[]> steps(String runId) {
        return database.query("SELECT step, reward_mean, metric_mean, format_valid_rate, policy_version FROM dr_steps"
                + " WHERE run_id = " + database.mark(0) + " ORDER BY step", row -> new double[] {
                    ((Number) row.get(0)).doubleValue(), ((Number) row.get(1)).doubleValue(),
                    ((Number) row.get(2)).doubleValue(), ((Number) row.get(3)).doubleValue(),
                    ((Number) row.get(4)).doubleValue()}, runId);
    }

    /** Rollouts stored for a run. */
    public long rolloutCount(String runId) {
        List<Long> count = database.query("SELECT COUNT(*) FROM dr_rollouts WHERE run_id = " + database.mark(0),
                row -> ((Number) row.get(0)).longValue(), runId);
        return count.isEmpty() ? 0 : count.getFirst();
    }

    private static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value, e);
        }
    }

    @Override
    public void close() {
        database.close();
    }
}

package dev.deepretrieval.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.r2dbc.h2.H2ConnectionConfiguration;
import dev.deepretrieval.environments.sql.SqlDialect;
import io.r2dbc.h2.H2ConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Statement;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs, per-step metrics and sampled rollouts in a relational database through R2DBC: an embedded H2 file by
 * default, PostgreSQL (or MariaDB) by URL. Steps are upserted by (run, step), so a resumed run that repeats a step
 * replaces it instead of storing it twice.
 */
public final class RunStore implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConnectionFactory factory;
    private final SqlDialect dialect;

    private RunStore(ConnectionFactory factory, SqlDialect dialect) {
        this.factory = factory;
        this.dialect = dialect;
    }

    /** An H2 database file at {@code file} (without the {@code .mv.db} suffix). */
    public static RunStore embedded(Path file) {
        return open(new H2ConnectionFactory(H2ConnectionConfiguration.builder()
                .file(file.toAbsolutePath().toString()).username("sa").password("").build()), SqlDialect.H2);
    }

    /** A store by R2DBC URL ({@code r2dbc:postgresql://postgres@127.0.0.1:5432/test}). */
    public static RunStore of(String url) {
        return open(ConnectionFactories.get(url), SqlDialect.ofUrl(url));
    }

    private static RunStore open(ConnectionFactory factory, SqlDialect dialect) {
        RunStore store = new RunStore(factory, dialect);
        store.createTables();
        return store;
    }

    private String text() {
        return switch (dialect) {
            case MARIADB -> "LONGTEXT";
            case POSTGRESQL -> "TEXT";
            case H2 -> "CLOB";
        };
    }

    private void createTables() {
        String text = text();
        List<String> ddl = List.of(
                "CREATE TABLE IF NOT EXISTS dr_runs (run_id VARCHAR(64) PRIMARY KEY, created VARCHAR(40) NOT NULL,"
                        + " status VARCHAR(20) NOT NULL, config " + text + " NOT NULL)",
                "CREATE TABLE IF NOT EXISTS dr_steps (run_id VARCHAR(64) NOT NULL, step BIGINT NOT NULL,"
                        + " reward_mean DOUBLE PRECISION NOT NULL, metric_mean DOUBLE PRECISION NOT NULL,"
                        + " format_valid_rate DOUBLE PRECISION NOT NULL, policy_version BIGINT NOT NULL,"
                        + " failed INT NOT NULL, metrics " + text + " NOT NULL, PRIMARY KEY (run_id, step))",
                "CREATE TABLE IF NOT EXISTS dr_rollouts (run_id VARCHAR(64) NOT NULL, step BIGINT NOT NULL,"
                        + " sample INT NOT NULL, prompt " + text + " NOT NULL, output " + text + " NOT NULL,"
                        + " parsed_query " + text + ", reward DOUBLE PRECISION NOT NULL, metric DOUBLE PRECISION NOT NULL,"
                        + " policy_version BIGINT NOT NULL, PRIMARY KEY (run_id, step, sample))");
        withConnection(c -> Flux.fromIterable(ddl)
                .concatMap(sql -> Flux.from(c.createStatement(sql).execute()).concatMap(r -> r.getRowsUpdated()))
                .then());
    }

    /** Records a run (or updates its status and config when it exists). */
    public void saveRun(String runId, String status, Map<String, Object> config) {
        String json = toJson(config);
        withConnection(c -> Mono.from(c.beginTransaction())
                .then(execute(c, "DELETE FROM dr_runs WHERE run_id = " + mark(0), runId))
                .then(execute(c, "INSERT INTO dr_runs (run_id, created, status, config) VALUES (" + mark(0) + ", "
                        + mark(1) + ", " + mark(2) + ", " + mark(3) + ")", runId, Instant.now().toString(), status, json))
                .then(Mono.from(c.commitTransaction())));
    }

    /** Stores a step and its sampled rollouts in one transaction, replacing an earlier copy of the same step. */
    public void saveStep(String runId, StepReport report) {
        withConnection(c -> {
            Mono<Void> work = Mono.from(c.beginTransaction())
                    .then(execute(c, "DELETE FROM dr_steps WHERE run_id = " + mark(0) + " AND step = " + mark(1),
                            runId, report.step()))
                    .then(execute(c, "DELETE FROM dr_rollouts WHERE run_id = " + mark(0) + " AND step = " + mark(1),
                            runId, report.step()))
                    .then(execute(c, "INSERT INTO dr_steps (run_id, step, reward_mean, metric_mean, format_valid_rate,"
                                    + " policy_version, failed, metrics) VALUES (" + marks(8) + ")", runId, report.step(),
                            report.rewardMean(), report.metricMean(), report.formatValidRate(), report.policyVersion(),
                            report.failed(), toJson(report.metrics())));
            for (int i = 0; i < report.samples().size(); i++) {
                StepReport.SampleRecord s = report.samples().get(i);
                work = work.then(execute(c, "INSERT INTO dr_rollouts (run_id, step, sample, prompt, output, parsed_query,"
                                + " reward, metric, policy_version) VALUES (" + marks(9) + ")", runId, report.step(), i,
                        s.original(), s.completion(), s.parsedQuery(), s.reward(), s.metric(), s.policyVersion()));
            }
            return work.then(Mono.from(c.commitTransaction()));
        });
    }

    /** Steps stored for a run, in order: (step, reward_mean, metric_mean, format_valid_rate, policy_version). */
    public List<double[]> steps(String runId) {
        List<double[]> rows = Mono.usingWhen(factory.create(), c -> Flux.from(bind(c.createStatement(
                                "SELECT step, reward_mean, metric_mean, format_valid_rate, policy_version FROM dr_steps"
                                        + " WHERE run_id = " + mark(0) + " ORDER BY step"), runId).execute())
                        .concatMap(result -> result.map(row -> new double[] {
                                ((Number) row.get(0)).doubleValue(), ((Number) row.get(1)).doubleValue(),
                                ((Number) row.get(2)).doubleValue(), ((Number) row.get(3)).doubleValue(),
                                ((Number) row.get(4)).doubleValue()}))
                        .collectList(), Connection::close)
                .block(TIMEOUT);
        return rows == null ? List.of() : rows;
    }

    /** Rollouts stored for a run. */
    public long rolloutCount(String runId) {
        Long count = Mono.usingWhen(factory.create(), c -> Flux.from(bind(c.createStatement(
                                "SELECT COUNT(*) FROM dr_rollouts WHERE run_id = " + mark(0)), runId).execute())
                        .concatMap(result -> result.map(row -> ((Number) row.get(0)).longValue()))
                        .next(), Connection::close)
                .block(TIMEOUT);
        return count == null ? 0 : count;
    }

    private Mono<Void> execute(Connection c, String sql, Object... values) {
        return Flux.from(bind(c.createStatement(sql), values).execute()).concatMap(r -> r.getRowsUpdated()).then();
    }

    private static Statement bind(Statement statement, Object... values) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                statement.bindNull(i, String.class);
            } else {
                statement.bind(i, values[i]);
            }
        }
        return statement;
    }

    private String mark(int index) {
        return dialect.bindMarker(index);
    }

    private String marks(int count) {
        var out = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            out.add(mark(i));
        }
        return String.join(", ", out);
    }

    private void withConnection(java.util.function.Function<Connection, Mono<Void>> work) {
        Mono.usingWhen(factory.create(), work, Connection::close).block(TIMEOUT);
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
        if (factory instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // nothing useful to do when closing fails
            }
        }
    }
}

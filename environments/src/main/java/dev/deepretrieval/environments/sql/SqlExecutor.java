package dev.deepretrieval.environments.sql;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.RowMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs model-written SQL against one loaded Spider database, read-only, in layers: the {@link SqlGuard} admits one
 * SELECT/WITH statement free of the dialect's dangerous functions; it runs as the server's reader login, which can
 * only read the loaded task data ({@link SqlServer#readerExcess()}); each statement runs in its own read-only
 * transaction with the server's statement timeout, rolled back afterwards, and no session state outlives it
 * (PostgreSQL: {@code DISCARD ALL} before the pooled connection is reused; MariaDB: a fresh connection per
 * statement); results stop at the row cap. Every outcome is a {@link SqlExecution}, never an exception: a refusal
 * by the guard or the server is a failed execution.
 */
public final class SqlExecutor implements AutoCloseable {

    /** How long past the server's timeout the client waits before giving up on its own. */
    private static final Duration CLIENT_GRACE = Duration.ofSeconds(5);

    private final SqlServer server;
    private final String databaseId;
    private final SqlSettings settings;
    private final ConnectionPool pool;
    private final List<String> before;
    private final List<String> after;

    public SqlExecutor(SqlServer server, String databaseId, SqlSettings settings) {
        this.server = server;
        this.databaseId = databaseId;
        this.settings = settings;
        SqlDialect dialect = server.dialect();
        this.before = dialect.beforeStatement(server.namespace(databaseId), settings.statementTimeout());
        this.after = dialect.afterStatement();
        var pooling = ConnectionPoolConfiguration.builder(server.factory(databaseId, true))
                .initialSize(0)
                .maxSize(settings.maxConnections())
                .maxAcquireTime(settings.statementTimeout().plus(CLIENT_GRACE))
                .name("sql-" + server.namespace(databaseId));
        if (!dialect.reusesSessions()) {
            // the pool then only bounds concurrency: a connection is never handed out twice
            pooling.maxLifeTime(Duration.ofMillis(1)).maxIdleTime(Duration.ofMillis(1));
        }
        this.pool = new ConnectionPool(pooling.build());
    }

    public String databaseId() {
        return databaseId;
    }

    /** Guards, then runs {@code sql} (MySQL dialect) and collects at most row-cap rows. */
    public Mono<SqlExecution> execute(String sql) {
        SqlVerdict verdict = SqlGuard.check(sql, server.dialect());
        if (!verdict.isAllowed()) {
            return Mono.just(SqlExecution.failed(SqlExecution.Status.REJECTED, verdict.rejection().orElseThrow()));
        }
        return run(verdict.statement().orElseThrow());
    }

    /**
     * Runs a statement without the guard, still as the reader in a read-only transaction with the timeout and row
     * cap, nothing kept afterwards: the server's own defences, tested on their own.
     */
    Mono<SqlExecution> run(String mysqlStatement) {
        String statement = server.dialect().translate(mysqlStatement);
        int cap = settings.rowCap();
        return Mono.usingWhen(pool.create(),
                        connection -> Statements.run(connection, before)
                                .thenMany(Flux.from(connection.createStatement(statement).execute()))
                                .concatMap(result -> result.map(SqlExecutor::values))
                                .take(cap + 1L)
                                .collectList()
                                .map(rows -> rows.size() > cap
                                        ? SqlExecution.failed(SqlExecution.Status.TOO_MANY_ROWS,
                                                "more than " + cap + " rows")
                                        : SqlExecution.ok(rows)),
                        this::release, (connection, error) -> release(connection), this::release)
                .timeout(settings.statementTimeout().plus(CLIENT_GRACE))
                .onErrorResume(e -> Mono.just(classify(e)));
    }

    /** Ends the statement's transaction and session state, then hands the connection back (or closes it). */
    private Mono<Void> release(Connection connection) {
        return Statements.run(connection, after)
                .onErrorResume(e -> Mono.empty())
                .then(Mono.defer(() -> Mono.from(connection.close())));
    }

    private static List<Object> values(Readable row, RowMetadata metadata) {
        int width = metadata.getColumnMetadatas().size();
        var values = new ArrayList<Object>(width);
        for (int i = 0; i < width; i++) {
            values.add(row.get(i));
        }
        return Collections.unmodifiableList(values);
    }

    private SqlExecution classify(Throwable e) {
        if (e instanceof TimeoutException || e instanceof R2dbcTimeoutException || isServerTimeout(e)) {
            return SqlExecution.failed(SqlExecution.Status.TIMED_OUT,
                    "stopped after the statement timeout of " + settings.statementTimeout().toMillis() + " ms");
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return SqlExecution.failed(SqlExecution.Status.FAILED, message.lines().findFirst().orElse(message));
    }

    /** Server-side statement timeouts that drivers report as plain errors. */
    private static boolean isServerTimeout(Throwable e) {
        if (!(e instanceof R2dbcException r2dbc)) {
            return false;
        }
        String state = r2dbc.getSqlState() == null ? "" : r2dbc.getSqlState();
        String message = r2dbc.getMessage() == null ? "" : r2dbc.getMessage().toLowerCase(java.util.Locale.ROOT);
        return state.equals("57014") // PostgreSQL query_canceled, H2 statement canceled
                || state.equals("70100") // MariaDB query interrupted
                || message.contains("max_statement_time") || message.contains("statement timeout")
                || message.contains("canceled") || message.contains("cancelled");
    }

    @Override
    public void close() {
        pool.dispose();
    }
}

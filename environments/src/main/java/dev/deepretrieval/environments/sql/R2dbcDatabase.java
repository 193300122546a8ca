package dev.deepretrieval.environments.sql;

import io.r2dbc.h2.H2ConnectionConfiguration;
import io.r2dbc.h2.H2ConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.Statement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A database the application keeps its own tables in (run store, search cache) through R2DBC: an embedded H2 file,
 * or PostgreSQL / MariaDB by URL. Each call takes a connection, runs, and gives it back, waiting at most 30 s.
 */
public final class R2dbcDatabase implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ConnectionFactory factory;
    private final SqlDialect dialect;

    private R2dbcDatabase(ConnectionFactory factory, SqlDialect dialect) {
        this.factory = factory;
        this.dialect = dialect;
    }

    /** An H2 database file at {@code file} (without the {@code .mv.db} suffix). */
    public static R2dbcDatabase embedded(Path file) {
        return new R2dbcDatabase(new H2ConnectionFactory(H2ConnectionConfiguration.builder()
                .file(file.toAbsolutePath().toString()).username("sa").password("").build()), SqlDialect.H2);
    }

    /** A database by R2DBC URL ({@code r2dbc:postgresql://postgres@127.0.0.1:5432/test}). */
    public static R2dbcDatabase of(String url) {
        return new R2dbcDatabase(ConnectionFactories.get(url), SqlDialect.ofUrl(url));
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /** The column type for long text in this dialect. */
    public String textType() {
        return switch (dialect) {
            case MARIADB -> "LONGTEXT";
            case POSTGRESQL -> "TEXT";
            case H2 -> "CLOB";
        };
    }

    /** The bind marker of parameter {@code index} (from 0). */
    public String mark(int index) {
        return dialect.bindMarker(index);
    }

    /** {@code count} bind markers separated by commas. */
    public String marks(int count) {
        var out = new ArrayList<String>();
        for (int i = 0; i < count; i++) {
            out.add(mark(i));
        }
        return String.join(", ", out);
    }

    /** Runs statements one after another on one connection (no transaction). */
    public void executeAll(List<String> statements) {
        withConnection(c -> Flux.fromIterable(statements)
                .concatMap(sql -> Flux.from(c.createStatement(sql).execute()).concatMap(r -> r.getRowsUpdated()))
                .then());
    }

    /** Runs {@code work} on a connection inside one transaction. */
    public void inTransaction(Function<Connection, Mono<Void>> work) {
        withConnection(c -> Mono.from(c.beginTransaction()).then(work.apply(c)).then(Mono.from(c.commitTransaction())));
    }

    /** One update statement with its parameters, as a step of a larger piece of work. */
    public Mono<Void> execute(Connection c, String sql, Object... values) {
        return Flux.from(bind(c.createStatement(sql), values).execute()).concatMap(r -> r.getRowsUpdated()).then();
    }

    /** The rows of a query, each mapped by {@code mapper}. */
    public <T> List<T> query(String sql, Function<Row, T> mapper, Object... values) {
        List<T> rows = Mono.usingWhen(factory.create(), c -> Flux.from(bind(c.createStatement(sql), values).execute())
                        .concatMap(result -> result.map((row, metadata) -> mapper.apply(row)))
                        .collectList(), Connection::close)
                .block(TIMEOUT);
        return rows == null ? List.of() : rows;
    }

    private void withConnection(Function<Connection, Mono<Void>> work) {
        Mono.usingWhen(factory.create(), work, Connection::close).block(TIMEOUT);
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

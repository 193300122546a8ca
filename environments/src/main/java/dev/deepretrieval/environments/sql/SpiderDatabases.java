package dev.deepretrieval.environments.sql;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A dataset's databases loaded into one server, each with its read-only {@link SqlExecutor}. Closing releases the
 * connection pools (and drops the embedded H2 databases).
 */
public final class SpiderDatabases implements AutoCloseable {

    private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(10);

    private final SqlServer server;
    private final Map<String, SpiderSchema> schemas;
    private final Map<String, SqlExecutor> executors;
    private final List<SpiderLoader.Report> reports;

    private SpiderDatabases(SqlServer server, Map<String, SpiderSchema> schemas, Map<String, SqlExecutor> executors,
            List<SpiderLoader.Report> reports) {
        this.server = server;
        this.schemas = schemas;
        this.executors = executors;
        this.reports = reports;
    }

    /** Loads every database the dataset's questions use, one after another, reporting each as it is done. */
    public static SpiderDatabases load(SpiderDataset dataset, SqlServer server, SqlSettings settings,
            Consumer<SpiderLoader.Report> progress) {
        var schemas = new LinkedHashMap<String, SpiderSchema>();
        var executors = new LinkedHashMap<String, SqlExecutor>();
        var reports = new ArrayList<SpiderLoader.Report>();
        SpiderDatabases databases = new SpiderDatabases(server, schemas, executors, reports);
        try {
            if (!server.prepareReader().isEmpty()) {
                Mono.usingWhen(server.rootFactory().create(), root -> Statements.run(root, server.prepareReader()),
                        Connection::close).block(LOAD_TIMEOUT);
            }
            for (String id : dataset.databaseIds()) {
                SpiderSchema schema = dataset.schema(id);
                SpiderLoader.Report report = SpiderLoader.load(server, schema, dataset.dataFolder(id))
                        .block(LOAD_TIMEOUT);
                schemas.put(id, schema);
                executors.put(id, new SqlExecutor(server, id, settings));
                reports.add(Objects.requireNonNull(report));
                progress.accept(report);
            }
            server.readerExcess().block(LOAD_TIMEOUT).ifPresent(excess -> {
                throw new UnsafeSqlReaderException(server.readerName(), excess, server.readerGiven());
            });
        } catch (RuntimeException e) {
            databases.close();
            throw e;
        }
        return databases;
    }

    public SqlServer server() {
        return server;
    }

    public List<SpiderLoader.Report> reports() {
        return List.copyOf(reports);
    }

    public SpiderSchema schema(String databaseId) {
        return require(schemas, databaseId);
    }

    public SqlExecutor executor(String databaseId) {
        return require(executors, databaseId);
    }

    /**
     * Row count and SHA-256 of every table's rows (sorted, so order-independent), read through the loading
     * connection: equal fingerprints before and after a statement mean it changed nothing.
     */
    public Mono<Map<String, String>> fingerprint(String databaseId) {
        SpiderSchema schema = schema(databaseId);
        SqlDialect dialect = server.dialect();
        return Mono.usingWhen(server.factory(databaseId, false).create(),
                connection -> Statements.run(connection, server.sessionSetup(databaseId))
                        .thenMany(Flux.fromIterable(schema.tables()).concatMap(table -> tableDigest(connection,
                                dialect, table)))
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue, LinkedHashMap::new),
                Connection::close);
    }

    private static Mono<Map.Entry<String, String>> tableDigest(Connection connection, SqlDialect dialect,
            TableSchema table) {
        return Flux.from(connection.createStatement("SELECT * FROM " + dialect.quote(table.name())).execute())
                .concatMap(result -> result.map((Readable row) -> {
                    var text = new StringBuilder();
                    for (int i = 0; i < table.columns().size(); i++) {
                        text.append(Objects.toString(row.get(i))).append('\u0001');
                    }
                    return text.toString();
                }))
                .collectSortedList()
                .map(rows -> Map.entry(table.name(), rows.size() + ":" + sha256(rows)));
    }

    private static String sha256(List<String> rows) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String row : rows) {
                digest.update(row.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) '\n');
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private static <T> T require(Map<String, T> map, String databaseId) {
        T value = map.get(databaseId);
        if (value == null) {
            throw new IllegalArgumentException("database " + databaseId + " is not loaded (loaded: " + map.keySet() + ")");
        }
        return value;
    }

    @Override
    public void close() {
        executors.values().forEach(SqlExecutor::close);
        if (!server.shutdown().isEmpty()) {
            for (String id : schemas.keySet()) {
                Mono.usingWhen(server.factory(id, false).create(), c -> Statements.run(c, server.shutdown()),
                        Connection::close).onErrorResume(e -> Mono.empty()).block(Duration.ofSeconds(30));
            }
        }
    }
}

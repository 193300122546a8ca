package dev.deepretrieval.environments.sql;

import dev.deepretrieval.environments.beir.DatasetFormatException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Statement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Loads one Spider database (schema and CSV dumps) into its namespace on a server: tables with their primary keys
 * (foreign keys and indexes do not change query results and Spider's data does not always satisfy them), rows bound
 * by column type. A cell {@code NULL} (SpiderMan's marker) is NULL, and so is an empty cell, except in a NOT NULL text
 * column, where it is the empty string.
 */
public final class SpiderLoader {

    /** SpiderMan's dumps write SQL NULL as this bare word. */
    private static final String NULL_MARKER = "NULL";

    /** Rows per INSERT batch. */
    private static final int BATCH = 500;

    private SpiderLoader() {}

    /** Tables and rows loaded, and the tables that had no CSV file (left empty). */
    public record Report(String databaseId, int tables, long rows, List<String> missingData) {}

    public static Mono<Report> load(SqlServer server, SpiderSchema schema, Path dataFolder) {
        SqlDialect dialect = server.dialect();
        Mono<Void> recreate = dialect == SqlDialect.H2 ? Mono.empty()
                : Mono.usingWhen(server.rootFactory().create(),
                        root -> Statements.run(root, server.recreateNamespace(schema.databaseId())), Connection::close);
        Mono<Report> fill = Mono.usingWhen(server.factory(schema.databaseId(), false).create(), connection -> {
            var missing = new ArrayList<String>();
            Mono<Long> rows = Statements.run(connection, server.sessionSetup(schema.databaseId()))
                    .thenMany(Flux.fromIterable(schema.tables()).concatMap(table -> {
                        Optional<Path> csv = dataFile(dataFolder, table.name());
                        if (csv.isEmpty()) {
                            missing.add(table.name());
                        }
                        return Statements.run(connection, List.of(createTable(dialect, table)))
                                .then(csv.map(file -> insertAll(connection, dialect, table, file)).orElse(Mono.just(0L)));
                    }))
                    .reduce(0L, Long::sum);
            return rows.flatMap(total -> Statements.run(connection, server.grantReader(schema.databaseId()))
                    .thenReturn(new Report(schema.databaseId(), schema.tables().size(), total, List.copyOf(missing))));
        }, Connection::close);
        return recreate.then(fill);
    }

    static String createTable(SqlDialect dialect, TableSchema table) {
        var ddl = new StringBuilder("CREATE TABLE ").append(dialect.quote(table.name())).append(" (");
        for (int i = 0; i < table.columns().size(); i++) {
            TableSchema.Column column = table.columns().get(i);
            boolean inKey = table.primaryKey().stream().anyMatch(k -> k.equalsIgnoreCase(column.name()));
            ddl.append(i == 0 ? "" : ", ").append(dialect.quote(column.name())).append(' ')
                    .append(dialect.columnType(column, inKey));
            if (column.notNull() || inKey) {
                ddl.append(" NOT NULL");
            }
        }
        if (!table.primaryKey().isEmpty()) {
            ddl.append(", PRIMARY KEY (");
            for (int i = 0; i < table.primaryKey().size(); i++) {
                ddl.append(i == 0 ? "" : ", ").append(dialect.quote(table.primaryKey().get(i)));
            }
            ddl.append(')');
        }
        return ddl.append(')').toString();
    }

    private static Mono<Long> insertAll(Connection connection, SqlDialect dialect, TableSchema table, Path file) {
        CsvReader.Table csv = CsvReader.read(file);
        var columns = new ArrayList<TableSchema.Column>();
        for (String name : csv.header()) {
            try {
                columns.add(table.column(name.strip()));
            } catch (IllegalArgumentException e) {
                throw new DatasetFormatException(file, 1, e.getMessage());
            }
        }
        var sql = new StringBuilder("INSERT INTO ").append(dialect.quote(table.name())).append(" (");
        var values = new StringBuilder(" VALUES (");
        for (int i = 0; i < columns.size(); i++) {
            TableSchema.Column column = columns.get(i);
            sql.append(i == 0 ? "" : ", ").append(dialect.quote(column.name()));
            values.append(i == 0 ? "" : ", ").append(dialect.bindMarker(i));
        }
        String insert = sql.append(')').append(values).append(')').toString();
        List<List<String>> records = csv.records();
        return Flux.range(0, (records.size() + BATCH - 1) / BATCH)
                .concatMap(batch -> {
                    Statement statement = connection.createStatement(insert);
                    int from = batch * BATCH;
                    int to = Math.min(records.size(), from + BATCH);
                    for (int r = from; r < to; r++) {
                        if (r > from) {
                            statement.add();
                        }
                        bindRow(statement, columns, records.get(r), file, r + 2);
                    }
                    return Flux.from(statement.execute()).concatMap(result -> result.getRowsUpdated());
                })
                .reduce(0L, Long::sum)
                .onErrorMap(e -> !(e instanceof DatasetFormatException),
                        e -> new DatasetFormatException(file, 0, "cannot load table " + table.name() + ": " + e.getMessage(), e));
    }

    private static void bindRow(Statement statement, List<TableSchema.Column> columns, List<String> record, Path file,
            int line) {
        for (int i = 0; i < columns.size(); i++) {
            TableSchema.Column column = columns.get(i);
            String cell = record.get(i);
            boolean isNull = cell.equals(NULL_MARKER)
                    || cell.isEmpty() && !(column.notNull() && column.kind() == TableSchema.ValueKind.TEXT);
            if (isNull) {
                statement.bindNull(i, switch (column.kind()) {
                    case INTEGER -> Long.class;
                    case DECIMAL -> BigDecimal.class;
                    case DATE -> LocalDate.class;
                    case TIMESTAMP -> LocalDateTime.class;
                    case TEXT -> String.class;
                });
                continue;
            }
            try {
                switch (column.kind()) {
                    case INTEGER -> statement.bind(i, integer(cell));
                    case DECIMAL -> statement.bind(i, new BigDecimal(cell.strip()));
                    case DATE -> statement.bind(i, LocalDate.parse(cell.strip(), cell.strip().length() == 8
                            ? DateTimeFormatter.BASIC_ISO_DATE : DateTimeFormatter.ISO_LOCAL_DATE));
                    case TIMESTAMP -> statement.bind(i, timestamp(cell.strip()));
                    case TEXT -> statement.bind(i, cell);
                }
            } catch (NumberFormatException | ArithmeticException e) {
                throw new DatasetFormatException(file, line, "column " + column.name() + " (" + column.type()
                        + ") holds '" + cell + "', not a number");
            } catch (DateTimeParseException e) {
                throw new DatasetFormatException(file, line, "column " + column.name() + " (" + column.type()
                        + ") holds '" + cell + "', not a date (yyyy-MM-dd[ HH:mm:ss] or yyyyMMdd)");
            }
        }
    }

    private static LocalDateTime timestamp(String text) {
        return text.length() <= 10 ? LocalDate.parse(text).atStartOfDay()
                : LocalDateTime.parse(text.replace(' ', 'T'));
    }

    private static long integer(String cell) {
        String text = cell.strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return new BigDecimal(text).longValueExact(); // "3.0" is 3; "3.5" throws
        }
    }

    /** {@code data/<table>.csv} or {@code .csv.gz}, matching the table name without regard to case. */
    static Optional<Path> dataFile(Path dataFolder, String table) {
        if (!Files.isDirectory(dataFolder)) {
            return Optional.empty();
        }
        String wanted = table.toLowerCase(Locale.ROOT);
        try (Stream<Path> files = Files.list(dataFolder)) {
            return files.filter(f -> {
                String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                return name.equals(wanted + ".csv") || name.equals(wanted + ".csv.gz");
            }).sorted().findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(dataFolder + ": cannot list", e);
        }
    }
}

package dev.deepretrieval.environments.sql;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What differs between the servers the SQL environment runs on: identifier quoting, column types, bind markers,
 * and the session settings that make a connection read-only with a statement timeout. Spider's SQL is MySQL's:
 * H2 (MySQL mode) and MariaDB take it as is; for PostgreSQL, backquoted identifiers become lower-case double-quoted
 * ones (the tables are created that way, so unquoted names fold to match).
 */
public enum SqlDialect {
    H2,
    MARIADB,
    POSTGRESQL;

    private static final Pattern BACKQUOTED = Pattern.compile("`([^`]*)`");

    /** The dialect of an R2DBC URL ({@code r2dbc:h2:...}, {@code r2dbc:mariadb:...}, {@code r2dbc:postgresql:...}). */
    public static SqlDialect ofUrl(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        String driver = lower.startsWith("r2dbc:pool:") ? lower.substring("r2dbc:pool:".length()) : lower.substring(
                lower.startsWith("r2dbc:") ? "r2dbc:".length() : 0);
        if (driver.startsWith("h2:")) {
            return H2;
        }
        if (driver.startsWith("mariadb:") || driver.startsWith("mysql:")) {
            return MARIADB;
        }
        if (driver.startsWith("postgresql:") || driver.startsWith("postgres:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported R2DBC URL '" + url
                + "' (expected r2dbc:h2:, r2dbc:mariadb: or r2dbc:postgresql:)");
    }

    public String quote(String identifier) {
        return this == POSTGRESQL ? "\"" + identifier.toLowerCase(Locale.ROOT).replace("\"", "\"\"") + "\""
                : "`" + identifier.replace("`", "``") + "`";
    }

    /** Model or gold SQL (MySQL dialect) in this dialect. */
    public String translate(String sql) {
        if (this != POSTGRESQL) {
            return sql;
        }
        Matcher m = BACKQUOTED.matcher(sql);
        var out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(quote(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The bind marker of parameter {@code index} (0-based). */
    public String bindMarker(int index) {
        return this == MARIADB ? "?" : "$" + (index + 1);
    }

    /**
     * A column's type on this server. Text is unbounded (Spider's data does not always fit its declared lengths),
     * except in a MariaDB key, which needs a length.
     */
    public String columnType(TableSchema.Column column, boolean inPrimaryKey) {
        String base = column.baseType();
        String declared = column.type();
        return switch (column.kind()) {
            case INTEGER -> "BIGINT";
            case DECIMAL -> base.equals("DECIMAL") || base.equals("NUMERIC") ? declared : "DOUBLE PRECISION";
            case DATE -> "DATE";
            case TIMESTAMP -> this == MARIADB ? "DATETIME" : "TIMESTAMP";
            // r2dbc-h2 reads no LOBs, and H2's TEXT is a CLOB: use its unbounded VARCHAR
            case TEXT -> switch (this) {
                case H2 -> "VARCHAR";
                case MARIADB -> inPrimaryKey ? "VARCHAR(255)" : "TEXT";
                case POSTGRESQL -> "TEXT";
            };
        };
    }

    /**
     * Statements run before each model statement, on a connection of the reader. PostgreSQL: a read-only
     * transaction whose timeout and search path are local to it; MariaDB: a read-only transaction on a session
     * with the statement timeout; H2 (its reader can only SELECT): the timeout and lazy execution (rows stream as
     * found, so the row cap stops a huge result early).
     */
    public List<String> beforeStatement(String namespace, Duration statementTimeout) {
        long millis = Math.max(1, statementTimeout.toMillis());
        return switch (this) {
            case H2 -> List.of("SET QUERY_TIMEOUT " + millis, "SET LAZY_QUERY_EXECUTION TRUE");
            case MARIADB -> List.of("SET SESSION max_statement_time = " + (millis / 1000.0),
                    "START TRANSACTION READ ONLY");
            case POSTGRESQL -> List.of("BEGIN TRANSACTION READ ONLY", "SET LOCAL statement_timeout = " + millis,
                    "SET LOCAL search_path TO " + quote(namespace));
        };
    }

    /**
     * Statements run after each model statement, whatever happened: the transaction rolled back (undoing any
     * {@code set_config} it made) and, on PostgreSQL, {@code DISCARD ALL}, which returns the pooled session to its
     * state at login (advisory locks, prepared statements, temporary tables, settings). MariaDB connections are
     * closed after each statement instead (its R2DBC driver cannot reset a session).
     */
    public List<String> afterStatement() {
        return switch (this) {
            case H2 -> List.of();
            case MARIADB -> List.of("ROLLBACK");
            case POSTGRESQL -> List.of("ROLLBACK", "DISCARD ALL");
        };
    }

    /** Whether a connection may serve a second model statement (else each statement gets a fresh one). */
    public boolean reusesSessions() {
        return this != MARIADB;
    }
}

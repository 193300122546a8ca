package dev.deepretrieval.environments.sql;

import io.r2dbc.h2.H2ConnectionConfiguration;
import io.r2dbc.h2.H2ConnectionFactory;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A database server reached through R2DBC, holding one namespace per Spider database: an in-memory H2 database
 * each (embedded, MySQL mode), a MariaDB database each, or a PostgreSQL schema each, named
 * {@code <prefix><db_id>}.
 */
public final class SqlServer {

    /** H2 in MySQL mode, with MySQL's case-insensitive identifiers and string comparisons. */
    private static final String H2_OPTIONS = "MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE;"
            + "IGNORECASE=TRUE";
    private static final String H2_ADMIN = "sa";
    private static final String H2_READER = "reader";

    private final SqlDialect dialect;
    private final String url;
    private final String prefix;
    private final String h2Instance;
    private final String h2ReaderPassword;

    private SqlServer(SqlDialect dialect, String url, String prefix) {
        this.dialect = dialect;
        this.url = url;
        this.prefix = prefix;
        this.h2Instance = "dr" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        this.h2ReaderPassword = UUID.randomUUID().toString();
    }

    /** In-memory H2 databases private to this JVM (and to this object). */
    public static SqlServer embedded(String prefix) {
        return new SqlServer(SqlDialect.H2, "embedded", prefix);
    }

    /** A server by R2DBC URL ({@code r2dbc:mariadb://root@127.0.0.1:3306/test}, {@code r2dbc:postgresql://...}). */
    public static SqlServer of(String url, String prefix) {
        if (url.equals("embedded")) {
            return embedded(prefix);
        }
        SqlDialect dialect = SqlDialect.ofUrl(url);
        if (dialect == SqlDialect.H2) {
            throw new IllegalArgumentException("H2 runs embedded: use url = embedded");
        }
        if (!prefix.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("namespace prefix must be lower-case letters, digits and _: " + prefix);
        }
        return new SqlServer(dialect, url, prefix);
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /** The URL with any password removed, for logs and reports. */
    public String describe() {
        return dialect == SqlDialect.H2 ? "embedded H2 (MySQL mode)" : url.replaceAll("(//[^:/@]+):[^@]*@", "$1:***@");
    }

    public String namespace(String databaseId) {
        return (prefix + databaseId).toLowerCase(Locale.ROOT);
    }

    /** Statements (on {@link #rootFactory()}) that create an empty namespace, dropping an old one. */
    List<String> recreateNamespace(String databaseId) {
        String ns = dialect.quote(namespace(databaseId));
        return switch (dialect) {
            case H2 -> List.of();
            case MARIADB -> List.of("DROP DATABASE IF EXISTS " + ns, "CREATE DATABASE " + ns + " CHARACTER SET utf8mb4");
            case POSTGRESQL -> List.of("DROP SCHEMA IF EXISTS " + ns + " CASCADE", "CREATE SCHEMA " + ns);
        };
    }

    /** Statements (on the admin connection of a loaded namespace) that let the query user read it. */
    List<String> grantReader() {
        return dialect == SqlDialect.H2
                ? List.of("CREATE USER IF NOT EXISTS " + H2_READER + " PASSWORD '" + h2ReaderPassword + "'",
                        "GRANT SELECT ON SCHEMA PUBLIC TO " + H2_READER)
                : List.of();
    }

    /** Statements that release a namespace when the environment closes (H2's in-memory databases). */
    List<String> shutdown() {
        return dialect == SqlDialect.H2 ? List.of("SHUTDOWN") : List.of();
    }

    /** Connections to the server itself (the URL's database), for creating namespaces. */
    ConnectionFactory rootFactory() {
        if (dialect == SqlDialect.H2) {
            throw new IllegalStateException("embedded H2 has no root database");
        }
        return ConnectionFactories.get(url);
    }

    /** Connections with write access to a namespace (loading), or as the read-only query user. */
    ConnectionFactory factory(String databaseId, boolean reader) {
        String ns = namespace(databaseId);
        return switch (dialect) {
            // database-wide settings need admin rights: the loading connection sets them once, the reader inherits them
            case H2 -> new H2ConnectionFactory(reader
                    ? H2ConnectionConfiguration.builder().inMemory(h2Instance + "_" + ns)
                            .username(H2_READER).password(h2ReaderPassword).build()
                    : H2ConnectionConfiguration.builder().inMemory(h2Instance + "_" + ns)
                            .username(H2_ADMIN).password("").property("DB_CLOSE_DELAY", "-1").option(H2_OPTIONS).build());
            case MARIADB -> ConnectionFactories.get(ConnectionFactoryOptions.parse(url).mutate()
                    .option(ConnectionFactoryOptions.DATABASE, ns).build());
            case POSTGRESQL -> ConnectionFactories.get(ConnectionFactoryOptions.parse(url).mutate()
                    .option(io.r2dbc.spi.Option.valueOf("schema"), ns).build());
        };
    }

    /** Statements that every session on a namespace runs first (PostgreSQL: the search path). */
    List<String> sessionSetup(String databaseId) {
        return dialect == SqlDialect.POSTGRESQL ? List.of("SET search_path TO " + dialect.quote(namespace(databaseId)))
                : List.of();
    }
}

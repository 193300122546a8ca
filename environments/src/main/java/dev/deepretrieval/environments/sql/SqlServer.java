package dev.deepretrieval.environments.sql;

import io.r2dbc.h2.H2ConnectionConfiguration;
import io.r2dbc.h2.H2ConnectionFactory;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Connection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A database server reached through R2DBC, holding one namespace per Spider database: an in-memory H2 database
 * each (embedded, MySQL mode), a MariaDB database each, or a PostgreSQL schema each, named
 * {@code <prefix><db_id>}.
 *
 * <p>Model SQL never runs as the URL's user (the admin, who loads the data): it runs as a reader login that may only
 * read the loaded namespaces. On MariaDB and PostgreSQL the loader creates that login with the admin URL (a role
 * named by {@code readerRole}, no attributes, no memberships, its password derived from the admin URL, so every
 * process that loads with the same URL agrees on it) and grants it SELECT on each namespace it loads; or the user
 * names an existing reader by URL. Either way {@link #verifyReader()} refuses a reader with more rights than that.
 * Embedded H2 keeps its SELECT-only user.
 */
public final class SqlServer {

    /** H2 in MySQL mode, with MySQL's case-insensitive identifiers and string comparisons. */
    private static final String H2_OPTIONS = "MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE;"
            + "IGNORECASE=TRUE";
    private static final String H2_ADMIN = "sa";
    private static final String H2_READER = "reader";
    /** The login the loader creates for model SQL unless a reader URL is given. */
    public static final String DEFAULT_READER_ROLE = "deepretrieval_reader";

    private final SqlDialect dialect;
    private final String url;
    private final String prefix;
    private final String h2Instance;
    private final String h2ReaderPassword;
    private final String readerRole;
    private final Optional<String> readerUrl;

    private SqlServer(SqlDialect dialect, String url, String prefix, String readerRole, Optional<String> readerUrl) {
        this.dialect = dialect;
        this.url = url;
        this.prefix = prefix;
        this.h2Instance = "dr" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        this.h2ReaderPassword = UUID.randomUUID().toString();
        this.readerRole = readerRole;
        this.readerUrl = readerUrl;
    }

    /** In-memory H2 databases private to this JVM (and to this object). */
    public static SqlServer embedded(String prefix) {
        return new SqlServer(SqlDialect.H2, "embedded", prefix, H2_READER, Optional.empty());
    }

    /** A server by R2DBC URL ({@code r2dbc:mariadb://root@127.0.0.1:3306/test}, {@code r2dbc:postgresql://...}). */
    public static SqlServer of(String url, String prefix) {
        return of(url, prefix, DEFAULT_READER_ROLE, Optional.empty());
    }

    /**
     * A server by admin URL, model SQL running as {@code readerUrl}'s user when given, else as the login
     * {@code readerRole} that loading creates.
     */
    public static SqlServer of(String url, String prefix, String readerRole, Optional<String> readerUrl) {
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
        if (!readerRole.matches("[a-z][a-z0-9_]{0,30}")) {
            throw new IllegalArgumentException("reader role must be lower-case letters, digits and _ (at most 31): "
                    + readerRole);
        }
        readerUrl.ifPresent(reader -> {
            if (SqlDialect.ofUrl(reader) != dialect) {
                throw new IllegalArgumentException("the reader URL must reach the same kind of server as the URL");
            }
        });
        return new SqlServer(dialect, url, prefix, readerRole, readerUrl.filter(r -> !r.isBlank()));
    }

    /** The login model SQL runs as. */
    public String readerName() {
        return readerUrl.map(r -> String.valueOf(ConnectionFactoryOptions.parse(r).getValue(ConnectionFactoryOptions.USER)))
                .orElse(readerRole);
    }

    /** Whether the reader was named by URL (rather than created by the loader). */
    public boolean readerGiven() {
        return readerUrl.isPresent();
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

    /**
     * Statements (on {@link #rootFactory()}) that create or reset the reader login the loader manages: no
     * attributes, the derived password. None when the reader is given by URL, or on H2.
     */
    List<String> prepareReader() {
        if (readerUrl.isPresent()) {
            return List.of();
        }
        String password = readerPassword();
        return switch (dialect) {
            case H2 -> List.of();
            case MARIADB -> List.of(
                    "CREATE USER IF NOT EXISTS '" + readerRole + "'@'%' IDENTIFIED BY '" + password + "'",
                    "ALTER USER '" + readerRole + "'@'%' IDENTIFIED BY '" + password + "'");
            case POSTGRESQL -> List.of(
                    "DO $$ BEGIN CREATE ROLE " + readerRole + " LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                    "ALTER ROLE " + readerRole + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
                            + " NOBYPASSRLS NOINHERIT PASSWORD '" + password + "'");
        };
    }

    /** Statements (on the admin connection of a loaded namespace) that let the reader read it, and only read it. */
    List<String> grantReader(String databaseId) {
        String ns = dialect.quote(namespace(databaseId));
        String reader = readerName();
        return switch (dialect) {
            case H2 -> List.of("CREATE USER IF NOT EXISTS " + H2_READER + " PASSWORD '" + h2ReaderPassword + "'",
                    "GRANT SELECT ON SCHEMA PUBLIC TO " + H2_READER);
            // a reader given by URL on MariaDB is granted by its owner, who knows its host (README: one wildcard grant
            // on the namespace prefix, which outlives reloads)
            case MARIADB -> readerUrl.isPresent() ? List.of() : List.of("GRANT SELECT ON " + ns + ".* TO '" + reader + "'@'%'");
            case POSTGRESQL -> List.of("GRANT USAGE ON SCHEMA " + ns + " TO " + dialect.quote(reader),
                    "GRANT SELECT ON ALL TABLES IN SCHEMA " + ns + " TO " + dialect.quote(reader));
        };
    }

    /** The managed reader's password: derived from the admin URL and role, so concurrent loaders agree on it. */
    private String readerPassword() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("deepretrieval-reader\n" + url + "\n" + readerRole).getBytes(StandardCharsets.UTF_8));
            return "r" + HexFormat.of().formatHex(digest, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /**
     * Checks, connected as the reader, that it can do nothing but read: on PostgreSQL no superuser, role-creating,
     * database-creating, replication or RLS-bypassing attribute, no membership in any role (so none of
     * {@code pg_read_server_files} and the like), owns nothing, holds no table privilege but SELECT; on MariaDB no
     * grant but USAGE and SELECT on databases. Empty when it holds; otherwise what it may do beyond reading.
     */
    Mono<Optional<String>> readerExcess() {
        return switch (dialect) {
            case H2 -> Mono.just(Optional.empty());
            case POSTGRESQL -> Mono.usingWhen(readerFactory(Optional.empty()).create(), c -> Flux.from(c.createStatement(
                    "SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,"
                            + " (SELECT count(*) FROM pg_auth_members m WHERE m.member = r.oid),"
                            + " (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid)"
                            + " + (SELECT count(*) FROM pg_namespace n WHERE n.nspowner = r.oid)"
                            + " + (SELECT count(*) FROM pg_database d WHERE d.datdba = r.oid),"
                            + " (SELECT count(*) FROM information_schema.table_privileges p"
                            + "  WHERE p.grantee = r.rolname AND p.privilege_type <> 'SELECT')"
                            + " FROM pg_roles r WHERE r.rolname = current_user").execute())
                    .concatMap(result -> result.map((row, meta) -> {
                        var excess = new ArrayList<String>();
                        String[] attributes = {"superuser", "createrole", "createdb", "replication", "bypassrls"};
                        for (int i = 0; i < attributes.length; i++) {
                            if (Boolean.TRUE.equals(row.get(i, Boolean.class))) {
                                excess.add(attributes[i]);
                            }
                        }
                        String[] counts = {"member of other roles", "owns objects", "holds table privileges beyond SELECT"};
                        for (int i = 0; i < counts.length; i++) {
                            Number n = row.get(5 + i, Number.class);
                            if (n != null && n.longValue() > 0) {
                                excess.add(counts[i]);
                            }
                        }
                        return excess.isEmpty() ? Optional.<String>empty() : Optional.of(String.join(", ", excess));
                    }))
                    .next().defaultIfEmpty(Optional.of("no such role")), Connection::close);
            case MARIADB -> Mono.usingWhen(readerFactory(Optional.empty()).create(), c -> Flux.from(
                            c.createStatement("SHOW GRANTS").execute())
                    .concatMap(result -> result.map((row, meta) -> row.get(0, String.class)))
                    .filter(grant -> !grant.matches("GRANT USAGE ON \\*\\.\\* TO .*")
                            && !grant.matches("GRANT SELECT ON `[^`]+`\\.\\* TO .*"))
                    .collectList()
                    .map(extra -> extra.isEmpty() ? Optional.<String>empty()
                            : Optional.of(extra.stream().map(g -> g.replaceAll(" IDENTIFIED BY .*", ""))
                                    .reduce((a, b) -> a + "; " + b).orElse(""))), Connection::close);
        };
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
        if (reader && dialect != SqlDialect.H2) {
            return readerFactory(Optional.of(ns));
        }
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

    /** Connections as the reader, to a namespace (MariaDB: its database; PostgreSQL: search path set per statement). */
    private ConnectionFactory readerFactory(Optional<String> namespace) {
        ConnectionFactoryOptions base = readerUrl.map(ConnectionFactoryOptions::parse).orElseGet(() ->
                ConnectionFactoryOptions.parse(url).mutate()
                        .option(ConnectionFactoryOptions.USER, readerRole)
                        .option(ConnectionFactoryOptions.PASSWORD, readerPassword()).build());
        if (dialect == SqlDialect.MARIADB) {
            // the reader may use its namespaces only: no database at all when checking its grants
            var options = base.mutate();
            namespace.ifPresentOrElse(ns -> options.option(ConnectionFactoryOptions.DATABASE, ns),
                    () -> options.option(ConnectionFactoryOptions.DATABASE, ""));
            base = options.build();
        }
        return ConnectionFactories.get(base);
    }

    /** Statements that every session on a namespace runs first (PostgreSQL: the search path). */
    List<String> sessionSetup(String databaseId) {
        return dialect == SqlDialect.POSTGRESQL ? List.of("SET search_path TO " + dialect.quote(namespace(databaseId)))
                : List.of();
    }
}

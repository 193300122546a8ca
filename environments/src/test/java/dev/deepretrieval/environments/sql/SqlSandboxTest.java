package dev.deepretrieval.environments.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Model SQL as an untrusted client of a real server (the local PostgreSQL and MariaDB), through the executor
 * training uses: session tampering followed by writes, in seeded orders, two statements at a time across the pooled
 * connections, each statement both guarded ({@code execute}) and unguarded ({@code run}, the server's own defences
 * alone). Afterwards every table's checksum, the large objects, the sequence, the catalogue and the session
 * defaults are what they were, and no read of server files or credentials returned anything: each was a failed
 * execution.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlSandboxTest {

    private static final String MARIADB = "r2dbc:mariadb://root@127.0.0.1:3306/test";
    private static final String POSTGRESQL = "r2dbc:postgresql://postgres@127.0.0.1:5432/test";
    private static final String PREFIX = "drsandbox_";
    private static final SqlSettings LIMITS = new SqlSettings(Duration.ofSeconds(5), 1_000, 2, false, 16);
    private static final Path OUTFILE = Path.of("/tmp/deepretrieval-sandbox-outfile");
    private static final Path DUMPFILE = Path.of("/tmp/deepretrieval-sandbox-dumpfile");

    private SpiderDatabases postgres;
    private SpiderDatabases mariadb;

    @BeforeAll
    void load() throws Exception {
        SpiderDataset full = SpiderDataset.open("spider", SpiderGoldExecutionTest.BUNDLED);
        SpiderDataset one = new SpiderDataset("spider-one", full.root(), full.questions().stream()
                .filter(q -> q.databaseId().equals("battle_death")).toList());
        postgres = SpiderDatabases.load(one, SqlServer.of(POSTGRESQL, PREFIX), LIMITS, r -> {});
        mariadb = SpiderDatabases.load(one, SqlServer.of(MARIADB, PREFIX), LIMITS, r -> {});
        admin(POSTGRESQL, "CREATE SEQUENCE " + PREFIX + "battle_death.counter");
        admin(MARIADB, "CREATE SEQUENCE " + PREFIX + "battle_death.counter");
        Files.deleteIfExists(OUTFILE);
        Files.deleteIfExists(DUMPFILE);
    }

    @AfterAll
    void close() {
        postgres.close();
        mariadb.close();
    }

    private static List<Object> admin(String url, String sql) {
        return Mono.usingWhen(Mono.from(ConnectionFactories.get(url).create()),
                c -> Flux.from(c.createStatement(sql).execute())
                        .concatMap(r -> r.map((row, meta) -> {
                            var values = new ArrayList<Object>();
                            for (int i = 0; i < meta.getColumnMetadatas().size(); i++) {
                                values.add(Objects.toString(row.get(i)));
                            }
                            return (Object) values;
                        })).collectList(),
                Connection::close).block(Duration.ofSeconds(30));
    }

    /** Tampering with the session, then writes, in one list: shuffled per round. */
    private static final List<String> POSTGRESQL_TAMPER_AND_WRITE = List.of(
            "SELECT set_config('default_transaction_read_only', 'off', false)",
            "SELECT set_config('transaction_read_only', 'off', false)",
            "SELECT set_config('role', 'postgres', false)",
            "SELECT set_config('session_authorization', 'postgres', false)",
            "SELECT set_config('search_path', 'public', false)",
            "SELECT set_config('statement_timeout', '0', false)",
            "SELECT pg_advisory_lock(4242)",
            "SELECT lo_create(0)",
            "SELECT lo_import('/etc/hostname')",
            "SELECT lo_from_bytea(0, 'x'::bytea)",
            "SELECT nextval('counter')",
            "SELECT setval('" + PREFIX + "battle_death.counter', 99)",
            "SELECT * INTO pwned FROM ship",
            "WITH gone AS (DELETE FROM ship RETURNING *) SELECT * FROM gone",
            "SELECT lo_export(0, '/tmp/deepretrieval-sandbox-lo')");
    private static final List<String> POSTGRESQL_READS = List.of(
            "SELECT pg_read_file('/etc/hostname')",
            "SELECT pg_read_binary_file('/etc/hostname')",
            "SELECT pg_ls_dir('.')",
            "SELECT pg_stat_file('/etc/hostname')",
            "SELECT rolpassword FROM pg_authid",
            "SELECT passwd FROM pg_shadow");
    private static final List<String> MARIADB_TAMPER_AND_WRITE = List.of(
            "SELECT GET_LOCK('deepretrieval', 0)",
            "SELECT @planted := 1",
            "SET SESSION TRANSACTION READ WRITE",
            "SELECT * FROM ship INTO OUTFILE '" + OUTFILE + "'",
            "SELECT name FROM ship LIMIT 1 INTO DUMPFILE '" + DUMPFILE + "'",
            "SELECT NEXTVAL(counter)",
            "SELECT SETVAL(counter, 99)",
            "DELETE FROM ship",
            "CREATE TABLE pwned (a INT)");
    private static final List<String> MARIADB_READS = List.of(
            "SELECT LOAD_FILE('/etc/hostname')",
            "SELECT user, password FROM mysql.user",
            "SELECT * FROM mysql.global_priv");

    /** What must not change: tables, large objects, the sequence, the catalogue, locks. */
    private Map<String, Object> postgresState() {
        var state = new LinkedHashMap<String, Object>(postgres.fingerprint("battle_death").block());
        state.put("large objects", admin(POSTGRESQL, "SELECT count(*) FROM pg_largeobject_metadata"));
        state.put("sequence", admin(POSTGRESQL, "SELECT last_value, is_called FROM " + PREFIX + "battle_death.counter"));
        state.put("catalogue", admin(POSTGRESQL, "SELECT count(*), md5(string_agg(relname || '.' || relnamespace, ','"
                + " ORDER BY relname, relnamespace)) FROM pg_class"));
        state.put("roles", admin(POSTGRESQL, "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles"));
        state.put("advisory locks", admin(POSTGRESQL, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
        return state;
    }

    private Map<String, Object> mariadbState() {
        var state = new LinkedHashMap<String, Object>(mariadb.fingerprint("battle_death").block());
        state.put("sequence", admin(MARIADB, "SELECT next_not_cached_value FROM " + PREFIX + "battle_death.counter"));
        state.put("catalogue", admin(MARIADB, "SELECT count(*) FROM information_schema.tables"));
        state.put("users", admin(MARIADB, "SELECT count(*) FROM mysql.user"));
        state.put("locks", admin(MARIADB, "SELECT IS_USED_LOCK('deepretrieval')"));
        return state;
    }

    /** Each statement guarded and unguarded, two at a time, in a seeded order. */
    private static List<SqlExecution> barrage(SqlExecutor executor, List<String> statements, long seed) {
        var order = new ArrayList<>(statements);
        Collections.shuffle(order, new Random(seed));
        return Flux.fromIterable(order)
                .flatMap(sql -> Flux.concat(executor.execute(sql), executor.run(sql)), 2)
                .collectList().block(Duration.ofMinutes(2));
    }

    /** Reads of session state through the executor, enough to meet every pooled connection. */
    private static Set<List<Object>> sessions(SqlExecutor executor, String probe) {
        return Flux.range(0, 8).flatMap(i -> executor.run(probe), 4)
                .map(execution -> {
                    assertTrue(execution.succeeded(), execution.toString());
                    return execution.rows().get(0);
                })
                .collect(java.util.stream.Collectors.toSet()).block(Duration.ofMinutes(1));
    }

    @Test
    void postgresqlSessionTamperingThenWritesChangeNothingAndReadsAreRefused() {
        SqlExecutor executor = postgres.executor("battle_death");
        String probe = "SELECT current_setting('default_transaction_read_only'), current_setting('transaction_read_only'),"
                + " current_setting('search_path'), current_user, current_setting('statement_timeout')";
        Set<List<Object>> sessionsBefore = sessions(executor, probe);
        assertEquals(1, sessionsBefore.size(), sessionsBefore.toString());
        List<Object> session = sessionsBefore.iterator().next();
        assertEquals("on", session.get(1));
        assertEquals("deepretrieval_reader", session.get(3));
        Map<String, Object> before = postgresState();
        for (long seed = 1; seed <= 4; seed++) {
            for (SqlExecution read : barrage(executor, POSTGRESQL_READS, seed)) {
                assertFalse(read.succeeded(), "a read of server files or credentials ran: " + read);
            }
            for (SqlExecution outcome : barrage(executor, POSTGRESQL_TAMPER_AND_WRITE, seed)) {
                assertTrue(outcome.status() != SqlExecution.Status.TIMED_OUT, outcome.toString());
            }
            assertEquals(before, postgresState(), "round " + seed);
            assertEquals(sessionsBefore, sessions(executor, probe), "round " + seed);
        }
        assertEquals(SqlExecution.Status.REJECTED, executor.execute("SELECT pg_read_file('/etc/hostname')").block().status());
        assertEquals(SqlExecution.Status.FAILED, executor.run("SELECT pg_read_file('/etc/hostname')").block().status());
        // a large object created inside the statement's read-only transaction is rolled back with it
        assertTrue(executor.run("SELECT lo_create(0)").block().succeeded());
        assertEquals(before, postgresState());
        assertTrue(executor.run("SELECT name FROM ship ORDER BY id").block().succeeded());
    }

    @Test
    void mariadbSessionTamperingThenWritesChangeNothingAndReadsAreRefused() {
        SqlExecutor executor = mariadb.executor("battle_death");
        String probe = "SELECT @planted, IS_USED_LOCK('deepretrieval') IS NULL, CURRENT_USER(), @@tx_read_only";
        Set<List<Object>> sessionsBefore = sessions(executor, probe);
        assertEquals(1, sessionsBefore.size(), sessionsBefore.toString());
        assertTrue(sessionsBefore.iterator().next().get(2).toString().startsWith("deepretrieval_reader@"));
        Map<String, Object> before = mariadbState();
        for (long seed = 1; seed <= 4; seed++) {
            for (SqlExecution read : barrage(executor, MARIADB_READS, seed)) {
                // without FILE, LOAD_FILE answers NULL rather than an error: refused either way
                boolean nothing = read.succeeded() && read.rows().size() == 1 && read.rows().get(0).size() == 1
                        && read.rows().get(0).get(0) == null;
                assertTrue(!read.succeeded() || nothing, "a read of server files or credentials ran: " + read);
            }
            for (SqlExecution outcome : barrage(executor, MARIADB_TAMPER_AND_WRITE, seed)) {
                assertTrue(outcome.status() != SqlExecution.Status.TIMED_OUT, outcome.toString());
            }
            assertEquals(before, mariadbState(), "round " + seed);
            assertEquals(sessionsBefore, sessions(executor, probe), "round " + seed);
            assertFalse(Files.exists(OUTFILE) || Files.exists(DUMPFILE), "INTO OUTFILE/DUMPFILE wrote a file");
        }
        assertEquals(SqlExecution.Status.REJECTED, executor.execute("SELECT user FROM mysql.user").block().status());
        assertEquals(SqlExecution.Status.FAILED, executor.run("SELECT user FROM mysql.user").block().status());
    }

    @Test
    void aSuperuserOrRootReaderIsRefusedBeforeAnyModelSqlRuns() {
        SpiderDataset full = SpiderDataset.open("spider", SpiderGoldExecutionTest.BUNDLED);
        SpiderDataset one = new SpiderDataset("spider-one", full.root(), full.questions().stream()
                .filter(q -> q.databaseId().equals("battle_death")).toList());
        var postgresRefusal = assertThrows(UnsafeSqlReaderException.class, () -> SpiderDatabases.load(one,
                SqlServer.of(POSTGRESQL, "drsandboxsu_", "deepretrieval_reader", Optional.of(POSTGRESQL)), LIMITS, r -> {}));
        assertTrue(postgresRefusal.readerGiven());
        assertTrue(postgresRefusal.getMessage().contains("'postgres' is not: superuser"), postgresRefusal.getMessage());
        var mariadbRefusal = assertThrows(UnsafeSqlReaderException.class, () -> SpiderDatabases.load(one,
                SqlServer.of(MARIADB, "drsandboxsu_", "deepretrieval_reader", Optional.of(MARIADB)), LIMITS, r -> {}));
        assertTrue(mariadbRefusal.getMessage().contains("GRANT ALL PRIVILEGES ON *.*"), mariadbRefusal.getMessage());
        assertEquals(Optional.empty(), postgres.server().readerExcess().block());
        assertEquals(Optional.empty(), mariadb.server().readerExcess().block());
        assertNotEquals("postgres", postgres.server().readerName());
    }
}

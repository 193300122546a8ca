package dev.deepretrieval.environments.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile SQL against each server (embedded H2, the local MariaDB and PostgreSQL): every statement is rejected or
 * stopped, and every table's row count and checksum are the same afterwards. The read-only session is also shown
 * to refuse writes on its own, with the guard bypassed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SqlSafetyTest {

    private static final String MARIADB = "r2dbc:mariadb://root@127.0.0.1:3306/test";
    private static final String POSTGRESQL = "r2dbc:postgresql://postgres@127.0.0.1:5432/test";
    private static final SqlSettings TIGHT = new SqlSettings(Duration.ofSeconds(2), 1_000, 2, false, 16);

    private final Map<String, SpiderDatabases> servers = new LinkedHashMap<>();

    @BeforeAll
    void load() {
        SpiderDataset full = SpiderDataset.open("spider", SpiderGoldExecutionTest.BUNDLED);
        SpiderDataset two = new SpiderDataset("spider-two", full.root(), full.questions().stream()
                .filter(q -> Set.of("battle_death", "world_1").contains(q.databaseId())).toList());
        servers.put("h2", SpiderDatabases.load(two, SqlServer.embedded("spider_"), TIGHT, r -> {}));
        servers.put("mariadb", SpiderDatabases.load(two, SqlServer.of(MARIADB, "drtest_"), TIGHT, r -> {}));
        servers.put("postgresql", SpiderDatabases.load(two, SqlServer.of(POSTGRESQL, "drtest_"), TIGHT, r -> {}));
    }

    @AfterAll
    void close() {
        servers.values().forEach(SpiderDatabases::close);
    }

    static Stream<String> servers() {
        return Stream.of("h2", "mariadb", "postgresql");
    }

    private static final List<String> HOSTILE = List.of(
            "DROP TABLE ship",
            "DELETE FROM ship",
            "UPDATE ship SET name = 'sunk'",
            "INSERT INTO ship (id, name) VALUES (999, 'x')",
            "TRUNCATE TABLE death",
            "ALTER TABLE ship ADD COLUMN hacked INT",
            "CREATE TABLE pwned (a INT)",
            "SELECT 1; DROP TABLE ship",
            "SELECT * FROM ship; DELETE FROM ship",
            "SELECT * FROM ship;\nUPDATE ship SET name = 'x';",
            "SELECT * FROM ship /* ; */ ; DELETE FROM ship",
            "WITH gone AS (DELETE FROM ship RETURNING *) SELECT * FROM gone",
            "SELECT * FROM ship FOR UPDATE",
            "SELECT SLEEP(60)",
            "SELECT pg_sleep(60)",
            "SELECT BENCHMARK(100000000, MD5('x'))",
            "SELECT * INTO OUTFILE '/tmp/deepretrieval-pwned' FROM ship",
            "SELECT LOAD_FILE('/etc/passwd')",
            "SET GLOBAL max_connections = 1",
            "GRANT ALL ON *.* TO 'x'",
            "CALL shutdown()",
            "",
            "   ",
            "asdf qwerty",
            "SELEC name FROM ship",
            "SELECT name FROM no_such_table",
            "SELECT 'unterminated FROM ship",
            "\u0000\u0001 SELECT");

    @ParameterizedTest
    @MethodSource("servers")
    void hostileStatementsAreRejectedOrStoppedAndNothingChanges(String server) {
        SpiderDatabases databases = servers.get(server);
        Map<String, String> before = databases.fingerprint("battle_death").block();
        SqlExecutor executor = databases.executor("battle_death");
        for (String sql : HOSTILE) {
            SqlExecution outcome = executor.execute(sql).block(Duration.ofSeconds(30));
            assertFalse(outcome.succeeded(), server + ": '" + sql + "' ran: " + outcome);
        }
        assertEquals(SqlExecution.Status.REJECTED, executor.execute("DROP TABLE ship").block().status());
        assertEquals(SqlExecution.Status.FAILED, executor.execute("SELECT name FROM no_such_table").block().status());
        assertEquals(before, databases.fingerprint("battle_death").block(), server);
        assertEquals(3, before.size());
        assertTrue(before.values().stream().noneMatch(v -> v.startsWith("0:")), before.toString());
    }

    @ParameterizedTest
    @MethodSource("servers")
    void theReadOnlySessionRefusesWritesEvenWithoutTheGuard(String server) {
        SpiderDatabases databases = servers.get(server);
        Map<String, String> before = databases.fingerprint("battle_death").block();
        SqlExecutor executor = databases.executor("battle_death");
        for (String write : List.of("DELETE FROM ship", "UPDATE ship SET name = 'x'",
                "INSERT INTO battle (id, name) VALUES (999, 'x')", "DROP TABLE death")) {
            SqlExecution outcome = executor.run(write).block(Duration.ofSeconds(30));
            assertEquals(SqlExecution.Status.FAILED, outcome.status(), server + ": " + write + " -> " + outcome);
        }
        assertEquals(before, databases.fingerprint("battle_death").block(), server);
    }

    @ParameterizedTest
    @MethodSource("servers")
    void longCrossJoinsStopAtTheTimeoutOrTheRowCap(String server) {
        SpiderDatabases databases = servers.get(server);
        Map<String, String> before = databases.fingerprint("world_1").block();
        SqlExecutor executor = databases.executor("world_1");
        SqlExecution counted = executor.execute(
                "SELECT COUNT(*) FROM city a, city b, city c WHERE a.Name <> c.District").block(Duration.ofSeconds(30));
        assertEquals(SqlExecution.Status.TIMED_OUT, counted.status(), server + ": " + counted);
        SqlExecution listed = executor.execute("SELECT a.Name, b.Name FROM city a, city b").block(Duration.ofSeconds(30));
        assertEquals(SqlExecution.Status.TOO_MANY_ROWS, listed.status(), server + ": " + listed);
        SqlExecution fine = executor.execute("SELECT COUNT(*) FROM city").block(Duration.ofSeconds(30));
        assertTrue(fine.succeeded(), server + ": " + fine);
        assertEquals(4079L, ((Number) fine.rows().get(0).get(0)).longValue());
        assertEquals(before, databases.fingerprint("world_1").block(), server);
    }
}

package dev.deepretrieval.environments.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SqlGuardTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "SELECT count(*) FROM singer | SELECT count(*) FROM singer",
        "select name from singer where country = 'France'; | select name from singer where country = 'France'",
        "  WITH t AS (SELECT 1 AS x) SELECT x FROM t  | WITH t AS (SELECT 1 AS x) SELECT x FROM t",
        "SELECT 'a;b', \"drop\" FROM `delete` -- DROP TABLE x | SELECT 'a;b', \"drop\" FROM `delete` -- DROP TABLE x",
        "SELECT name FROM t WHERE note = 'it''s; DELETE' | SELECT name FROM t WHERE note = 'it''s; DELETE'",
        "SELECT 1 /* UPDATE t SET a = 1 */ | SELECT 1 /* UPDATE t SET a = 1 */",
        "SELECT T1.updated_at FROM t AS T1 | SELECT T1.updated_at FROM t AS T1"})
    void readOnlyQueriesPass(String sql, String statement) {
        SqlVerdict verdict = SqlGuard.check(sql);
        assertTrue(verdict.isAllowed(), verdict.rejection().orElse(""));
        assertEquals(Optional.of(statement), verdict.statement());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "DROP TABLE singer | only SELECT or WITH queries may run, got DROP",
        "DELETE FROM singer | only SELECT or WITH queries may run, got DELETE",
        "UPDATE singer SET age = 0 | only SELECT or WITH queries may run, got UPDATE",
        "INSERT INTO singer VALUES (1) | only SELECT or WITH queries may run, got INSERT",
        "SELECT 1; DROP TABLE singer | more than one statement",
        "SELECT 1; SELECT 2 | more than one statement",
        "SELECT 1;; | more than one statement",
        "SELECT SLEEP(100) | forbidden keyword SLEEP",
        "SELECT pg_sleep(100) | forbidden keyword PG_SLEEP",
        "SELECT BENCHMARK(100000000, MD5('a')) | forbidden keyword BENCHMARK",
        "SELECT * INTO backup FROM singer | forbidden keyword INTO",
        "WITH d AS (DELETE FROM singer RETURNING *) SELECT * FROM d | forbidden keyword DELETE",
        "SELECT * FROM singer WHERE name = 'unterminated | unterminated string literal",
        "SELECT 1 /* open comment | unterminated comment",
        "x' OR 1=1 -- | unterminated string literal",
        "the singers older than 30 | only SELECT or WITH queries may run, got THE",
        "'' | empty SQL",
        "42 | no SQL keywords",
        "SELECT LOAD_FILE('/etc/passwd') | forbidden keyword LOAD_FILE",
        "SELECT * FROM CSVREAD('/etc/passwd') | forbidden keyword CSVREAD"})
    void anythingElseIsRejectedWithAReason(String sql, String reason) {
        SqlVerdict verdict = SqlGuard.check(sql);
        assertFalse(verdict.isAllowed());
        assertEquals(Optional.of(reason), verdict.rejection());
    }

    @Test
    void everySpiderDevGoldQueryPassesTheGuard() throws Exception {
        // SpiderMan's MySQL-dialect gold SQL for the 1,034 Spider dev questions (CSV: database,question,sql)
        var file = dev.deepretrieval.environments.BeirFolder.shared("spider/spiderman/test_queries.csv");
        var rejected = new java.util.ArrayList<String>();
        int count = 0;
        for (List<String> record : Csv.read(java.nio.file.Files.readString(file))) {
            if (count++ == 0) {
                continue; // header
            }
            SqlVerdict verdict = SqlGuard.check(record.get(2));
            if (!verdict.isAllowed()) {
                rejected.add(record.get(2) + " -> " + verdict.rejection().orElseThrow());
            }
        }
        assertEquals(1035, count);
        assertEquals(List.of(), rejected);
    }

    /** Minimal RFC 4180 reader for the test file (quoted fields, doubled quotes, commas and newlines inside). */
    private static final class Csv {
        static List<List<String>> read(String text) {
            var records = new java.util.ArrayList<List<String>>();
            var record = new java.util.ArrayList<String>();
            var field = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        field.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    record.add(field.toString());
                    field.setLength(0);
                } else if (c == '\n') {
                    record.add(field.toString());
                    field.setLength(0);
                    records.add(record);
                    record = new java.util.ArrayList<>();
                } else if (c != '\r') {
                    field.append(c);
                }
            }
            if (!field.isEmpty() || !record.isEmpty()) {
                record.add(field.toString());
                records.add(record);
            }
            return records;
        }
    }

    @Test
    void seededGarbageNeverThrows() {
        String alphabet = "SELECT FROM WHERE ;'\"`-/*#\\()=,. abc123\n\t";
        Random random = new Random(7);
        for (int i = 0; i < 5000; i++) {
            char[] text = new char[random.nextInt(80)];
            for (int j = 0; j < text.length; j++) {
                text[j] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            SqlVerdict verdict = SqlGuard.check(new String(text));
            assertTrue(verdict.isAllowed() != verdict.rejection().isPresent());
        }
    }

    @Test
    void eachDialectRefusesItsFunctionsWithSideEffectsOrServerAccess() {
        String[][] cases = {
            {"POSTGRESQL", "SELECT set_config('default_transaction_read_only', 'off', false)", "set_config"},
            {"POSTGRESQL", "SELECT pg_read_file('/etc/hostname')", "pg_read_file"},
            {"POSTGRESQL", "select PG_LS_DIR('.')", "pg_ls_dir"},
            {"POSTGRESQL", "SELECT rolpassword FROM pg_authid", "pg_authid"},
            {"POSTGRESQL", "SELECT lo_create(0)", "lo_create"},
            {"POSTGRESQL", "SELECT pg_advisory_lock(1)", "pg_advisory_lock"},
            {"POSTGRESQL", "SELECT nextval('s')", "nextval"},
            {"MARIADB", "SELECT user, password FROM mysql.user", "mysql"},
            {"MARIADB", "SELECT IS_USED_LOCK('x')", "is_used_lock"},
        };
        for (String[] c : cases) {
            SqlVerdict verdict = SqlGuard.check(c[1], SqlDialect.valueOf(c[0]));
            assertEquals(Optional.of("forbidden function or catalogue " + c[2]), verdict.rejection(), c[1]);
        }
        assertEquals(Optional.of("session variables (@) are not allowed"),
                SqlGuard.check("SELECT @x := 1", SqlDialect.MARIADB).rejection());
        // names inside literals and quoted identifiers are data, and the other dialect's functions are its own
        assertTrue(SqlGuard.check("SELECT name FROM singer WHERE name = 'set_config @ mysql'", SqlDialect.POSTGRESQL)
                .isAllowed());
        assertTrue(SqlGuard.check("SELECT `mysql` FROM t", SqlDialect.MARIADB).isAllowed());
        assertTrue(SqlGuard.check("SELECT is_used_lock FROM t", SqlDialect.POSTGRESQL).isAllowed());
    }

    @Test
    void executionMatchComparesSetsOfNormalisedTuples() {
        List<List<Object>> gold = List.of(row("France", 3), row("Japan", 1));
        assertTrue(ExecutionMatch.asSets(List.of(row("Japan", 1L), row("France", new BigDecimal("3.00"))), gold));
        assertTrue(ExecutionMatch.asSets(List.of(row("Japan", 1.0), row("France", 3), row("France", 3)), gold),
                "duplicates ignored, as the paper's set comparison");
        assertFalse(ExecutionMatch.asSets(List.of(row(1, "Japan"), row(3, "France")), gold), "column order matters");
        assertFalse(ExecutionMatch.asSets(List.of(row("France", 3)), gold));
        assertFalse(ExecutionMatch.ordered(List.of(row("Japan", 1), row("France", 3)), gold), "order matters when asked");
        assertTrue(ExecutionMatch.ordered(List.of(row("France", 3.0f), row("Japan", 1)), gold));
        assertTrue(ExecutionMatch.asSets(List.of(row((Object) null)), List.of(row((Object) null))));
        assertTrue(ExecutionMatch.asSets(List.of(), List.of()));
    }

    private static List<Object> row(Object... values) {
        return Arrays.asList(values);
    }
}

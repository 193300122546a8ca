package dev.deepretrieval.environments.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.reward.PaperRewards;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The paper's SQL reward on real Spider data: format, execution match as sets, order option, failures. */
class SqlEnvironmentTest {

    private static SpiderDatabases databases;
    private static SqlEnvironment environment;
    private static SqlTask ships;

    @BeforeAll
    static void load() {
        SpiderDataset full = SpiderDataset.open("spider", SpiderGoldExecutionTest.BUNDLED);
        SpiderDataset one = new SpiderDataset("battle", full.root(), full.questions().stream()
                .filter(q -> q.databaseId().equals("battle_death")).toList());
        databases = SpiderDatabases.load(one, SqlServer.embedded("spider_"), SqlSettings.defaults(), r -> {});
        environment = new SqlEnvironment(databases, SqlSettings.defaults(), AnswerFormat.THINK_THEN_ANSWER,
                PaperRewards.SQL);
        ships = one.questions().get(1); // SELECT `name`, `tonnage` FROM `ship` ORDER BY `name` DESC
    }

    @AfterAll
    static void close() {
        databases.close();
    }

    private static EnvironmentResult score(SqlTask task, String completion) {
        return environment.score(task, completion).toCompletableFuture().join();
    }

    private static String answer(String sql) {
        return "<think>\nthe ship table\n</think>\n<answer>{\"sql\": \"" + sql.replace("\"", "\\\"") + "\"}</answer>";
    }

    @Test
    void aMatchingQueryEarnsFormatBonusPlusOne() {
        assertEquals("SELECT `name`, `tonnage` FROM `ship` ORDER BY `name` DESC", ships.goldSql());
        EnvironmentResult result = score(ships, answer("select name, tonnage from ship"));
        assertEquals(1.1, result.reward(), 1e-12);
        assertEquals(Map.of("exec_match", 1.0, "executed", 1.0), result.metrics());
        assertEquals(Optional.of("select name, tonnage from ship"), result.query());
    }

    @Test
    void rowsCompareAsSetsSoOrderAndDuplicatesDoNotMatterButColumnOrderDoes() {
        assertEquals(1.1, score(ships, answer("SELECT name, tonnage FROM ship ORDER BY id")).reward(), 1e-12);
        assertEquals(1.1, score(ships, answer("SELECT name, tonnage FROM ship UNION ALL SELECT name, tonnage FROM ship"))
                .reward(), 1e-12);
        EnvironmentResult swapped = score(ships, answer("SELECT tonnage, name FROM ship"));
        assertEquals(0.0, swapped.reward());
        assertEquals(Map.of("exec_match", 0.0, "executed", 1.0), swapped.metrics());
    }

    @Test
    void theOrderSensitiveOptionAppliesToOrderedGoldQueries() {
        var ordered = new SqlEnvironment(databases, new SqlSettings(java.time.Duration.ofSeconds(30), 1000, 2, true, 16),
                AnswerFormat.THINK_THEN_ANSWER, PaperRewards.SQL);
        assertTrue(ships.goldIsOrdered());
        assertEquals(0.0, ordered.score(ships, answer("SELECT name, tonnage FROM ship ORDER BY name ASC"))
                .toCompletableFuture().join().reward());
        assertEquals(1.1, ordered.score(ships, answer("SELECT name, tonnage FROM ship ORDER BY name DESC"))
                .toCompletableFuture().join().reward(), 1e-12);
    }

    @Test
    void formatFailuresAndFailedSqlAreScoredAsThePaperDoes() {
        assertEquals(-2.0, score(ships, "<answer>{\"sql\": \"SELECT 1\"}</answer>").reward(), "no think block");
        assertEquals(-2.0, score(ships, "<think>x</think><answer>SELECT name FROM ship</answer>").reward(), "not JSON");
        assertFalse(score(ships, "<think>x</think><answer>{\"query\": \"SELECT 1\"}</answer>").formatValid(), "wrong key");
        EnvironmentResult broken = score(ships, answer("SELECT nme FROM ship"));
        assertEquals(0.0, broken.reward());
        assertEquals(Map.of("exec_match", 0.0, "executed", 0.0), broken.metrics());
        EnvironmentResult hostile = score(ships, answer("DELETE FROM ship"));
        assertEquals(0.0, hostile.reward());
        assertTrue(hostile.formatValid());
    }

    @Test
    void aTaskWhoseGoldQueryFailsCannotBeScored() {
        var broken = new SqlTask("battle_death-x", "battle_death", "?", "SELECT nothing FROM nowhere");
        CompletionException e = assertThrows(CompletionException.class,
                () -> environment.score(broken, answer("SELECT 1")).toCompletableFuture().join());
        assertInstanceOf(SqlEnvironment.GoldQueryException.class, e.getCause());
        assertTrue(e.getCause().getMessage().startsWith("gold SQL of battle_death-x did not execute (FAILED: "),
                e.getCause().getMessage());
    }

    @Test
    void promptSchemaIsTheCreateStatementsWithoutTheDatabasePrefix() {
        String schema = databases.schema("battle_death").promptText();
        assertTrue(schema.startsWith("CREATE TABLE `battle` (\n    `id` INT,"), schema);
        assertFalse(schema.contains("`battle_death`."));
        assertFalse(schema.contains("-- Dialect"));
        assertEquals(List.of("battle", "ship", "death"),
                databases.schema("battle_death").tables().stream().map(TableSchema::name).toList());
    }
}

package dev.deepretrieval.environments.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.BeirFolder;
import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.beir.BeirDataset;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.Bm25Retriever;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.lucene.IndexBuildListener;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.reward.PaperRewards;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetrievalEnvironmentTest {

    @TempDir
    static Path dir;

    private static FlatBm25Index index;
    private static RetrievalEnvironment environment;

    // d2 is the only relevant document: "apple cherry"
    private static final RetrievalTask TASK = new RetrievalTask("q", "which fruit", Map.of("d2", 1, "d4", 0));

    @BeforeAll
    static void open() throws IOException {
        String corpus = BeirFolder.doc("d1", "", "apple banana")
                + BeirFolder.doc("d2", "", "apple cherry")
                + BeirFolder.doc("d3", "", "banana cherry")
                + BeirFolder.doc("d4", "", "durian");
        BeirDataset dataset = BeirDataset.open("env", BeirFolder.write(dir.resolve("data"), corpus,
                "{\"_id\": \"q\", \"text\": \"which fruit\"}\n", "q\td2\t1\n"));
        index = FlatBm25Index.openOrBuild(dataset, dir.resolve("cache"), IndexBuildListener.SILENT);
        environment = new RetrievalEnvironment(new Bm25Retriever(index.searcher(Bm25Parameters.ANSERINI, 1024), QueryMode.BOOLEAN),
                new RetrievalEnvironmentSettings(AnswerFormat.THINK_THEN_ANSWER, 100, 10, PaperRewards.BEIR),
                Runnable::run);
    }

    @AfterAll
    static void close() throws IOException {
        index.close();
    }

    @Test
    void relevantDocumentAtRankOneEarnsTheFullReward() throws Exception {
        EnvironmentResult result = environment.score(TASK, answer("apple AND cherry"))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1.1, result.reward(), 1e-12);
        assertTrue(result.formatValid());
        assertEquals(Optional.of("apple AND cherry"), result.query());
        assertEquals(List.of("d2"), result.retrievedIds());
        assertEquals(1.0, result.metrics().get("ndcg@10"), 1e-12);
        assertEquals(1.0, result.metrics().get("recall@100"), 1e-12);
        assertEquals(1.0, result.metrics().get("first_relevant_rank"), 0);
    }

    @Test
    void relevantDocumentAtRankTwoEarnsOnePointOnePlusItsNdcg() {
        // "banana OR cherry": d3 matches both terms and ranks first; d2 (cherry) second -> nDCG = 1/log2(3)
        EnvironmentResult result = environment.scoreNow(TASK, answer("banana cherry"));
        assertEquals(List.of("d3", "d1", "d2"), result.retrievedIds());
        double ndcg = 1 / (Math.log(4) / Math.log(2));
        assertEquals(ndcg, result.metrics().get("ndcg@10"), 1e-12);
        assertEquals(0.1 + ndcg, result.reward(), 1e-12);
        assertEquals(3.0, result.metrics().get("first_relevant_rank"), 0);
    }

    @Test
    void wellFormedQueryThatMissesEarnsZero() {
        EnvironmentResult result = environment.scoreNow(TASK, answer("durian"));
        assertEquals(0.0, result.reward(), 0);
        assertTrue(result.formatValid());
        assertEquals(List.of("d4"), result.retrievedIds());
        assertEquals(0.0, result.metrics().get("first_relevant_rank"), 0);
    }

    @Test
    void formatFailuresEarnThePenalty() {
        for (String bad : List.of(
                "<answer>{\"query\": \"apple\"}</answer>",
                "<think>x</think><answer>apple cherry</answer>",
                "<think>x</think><answer>{\"q\": \"apple\"}</answer>",
                "",
                "<think>x</think>")) {
            EnvironmentResult result = environment.scoreNow(TASK, bad);
            assertEquals(-2.0, result.reward(), 0, bad);
            assertFalse(result.formatValid(), bad);
            assertEquals(List.of(), result.retrievedIds(), bad);
        }
    }

    @Test
    void nonStringQueryIsUnusableAndEarnsZero() {
        EnvironmentResult result = environment.scoreNow(TASK, "<think>x</think><answer>{\"query\": [\"apple\"]}</answer>");
        assertEquals(0.0, result.reward(), 0);
        assertTrue(result.formatValid());
        assertEquals(Optional.empty(), result.query());
    }

    @Test
    void hostileQueriesScoreWithoutThrowing() {
        for (String query : List.of("", "((((", ")))) AND", "title:apple^3 ~ * ? \\\\", "the of and", "NOT apple",
                "apple ".repeat(10_000), "\u0000\ud83d\ude00")) {
            EnvironmentResult result = environment.scoreNow(TASK, answer(query));
            assertTrue(result.formatValid(), query);
            assertTrue(result.reward() == 0.0 || result.reward() > 0.1, query);
        }
    }

    @Test
    void settingsAreValidated() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new RetrievalEnvironmentSettings(
                AnswerFormat.THINK_THEN_ANSWER, 10, 50, PaperRewards.BEIR));
    }

    private static String answer(String query) {
        String escaped = query.replace("\\", "\\\\").replace("\"", "\\\"").replace("\u0000", "\\u0000");
        return "<think>\nreasoning\n</think>\n<answer>\n{\"query\": \"" + escaped + "\"}\n</answer>";
    }
}

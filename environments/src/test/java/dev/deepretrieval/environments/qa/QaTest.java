package dev.deepretrieval.environments.qa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.BeirFolder;
import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.beir.DatasetFormatException;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.lucene.IndexBuildListener;
import dev.deepretrieval.environments.lucene.QueryMode;
import dev.deepretrieval.environments.reward.PaperRewards;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QaTest {

    @TempDir
    static Path cache;

    @Test
    void dprRuleMatchesTokenSequencesAfterNfdAndLowerCase() {
        var matcher = new DprAnswerMatcher(List.of("Denver Broncos", "Levi's Stadium"));
        assertTrue(matcher.matches("The DENVER broncos won."));
        assertTrue(matcher.matches("at Levi's Stadium in Santa Clara"));
        assertFalse(matcher.matches("The Denver-based Broncos"), "'-' is its own token between them");
        assertFalse(matcher.matches("Denverbroncos"));
        assertTrue(new DprAnswerMatcher(List.of("café")).matches("a CAFÉ in Paris"), "NFD makes é and É match");
        assertEquals(List.of("levi", "'", "s", "stadium"), DprAnswerMatcher.tokens("Levi's Stadium"));
        assertFalse(new DprAnswerMatcher(List.of("", "  ")).matches("anything"), "blank answers never match");
    }

    @Test
    void questionsReadFromJsonLinesAndDprTopics(@TempDir Path dir) throws IOException {
        Path tsv = dir.resolve("topics.txt");
        Files.writeString(tsv, "who wrote it ?\t['Jane Austen', \"O'Brien\"]\nwhen\t['1999']\n");
        List<QaQuestion> questions = QuestionsReader.read(tsv);
        assertEquals(new QaQuestion("1", "who wrote it ?", List.of("Jane Austen", "O'Brien")), questions.get(0));
        assertEquals(List.of("1999"), questions.get(1).answers());
        Files.writeString(tsv, "fine\t['a']\nbroken line without tab\n");
        var e = assertThrows(DatasetFormatException.class, () -> QuestionsReader.read(tsv));
        assertEquals(tsv + ":2: expected question<TAB>[answers]", e.getMessage());
        Files.writeString(tsv, "q\t['unterminated]\n");
        e = assertThrows(DatasetFormatException.class, () -> QuestionsReader.read(tsv));
        assertEquals(tsv + ":1: unterminated answer string", e.getMessage());

        List<QaQuestion> nq = QuestionsReader.read(BeirFolder.shared("open-qa-topics/topics.dpr.nq.test.txt.gz"));
        assertEquals(3610, nq.size());
        assertTrue(nq.get(0).answers().size() >= 1);
        assertEquals(List.of("Solange Knowles", "Destiny 's Child"), nq.get(36).answers(), "CSV-quoted line 37");
    }

    @Test
    void squadBaselineHitsWithTheOriginalQuestions() throws Exception {
        QaDataset squad = QaDataset.open("squad", Path.of("..", "data", "squad-v1.1"));
        assertEquals(10570, squad.questions().size());
        try (FlatBm25Index index = FlatBm25Index.openOrBuild(squad.passages(), cache, IndexBuildListener.SILENT);
                ExecutorService pool = Executors.newFixedThreadPool(2)) {
            assertEquals(2067, index.documentCount());
            Map<String, Double> hits = QaEvaluation.hits(index.searcher(Bm25Parameters.ANSERINI, 1024), squad.questions(),
                    squad.passageTexts(), QueryMode.BAG_OF_WORDS, List.of(1, 5, 20, 100), pool);
            assertEquals(0.8108, round4(hits.get("hits@1")), 1e-9);
            assertEquals(0.9442, round4(hits.get("hits@5")), 1e-9);
            assertEquals(0.9800, round4(hits.get("hits@20")), 1e-9);
            assertEquals(0.9940, round4(hits.get("hits@100")), 1e-9);
        }
    }

    @Test
    void rewardFollowsTheRankTiers(@TempDir Path dir) throws IOException {
        StringBuilder passages = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            passages.append(BeirFolder.doc("p" + i, "", "filler alpha " + i));
        }
        passages.append(BeirFolder.doc("gold", "Paris", "the capital city of france alpha"));
        Path folder = BeirFolder.write(dir.resolve("qa"), passages.toString(), "{\"_id\": \"q\", \"text\": \"x\"}\n", "q\tp0\t1\n");
        Files.move(folder.resolve("corpus.jsonl.gz"), folder.resolve("passages.jsonl.gz"));
        Files.writeString(folder.resolve("questions.jsonl"),
                "{\"id\": \"q1\", \"question\": \"capital of france\", \"answers\": [\"Paris\"]}\n");
        QaDataset data = QaDataset.open("tiny", folder);
        try (FlatBm25Index index = FlatBm25Index.openOrBuild(data.passages(), dir.resolve("cache"), IndexBuildListener.SILENT)) {
            var environment = new QaEnvironment(index.searcher(Bm25Parameters.ANSERINI, 1024), data.passageTexts(),
                    AnswerFormat.THINK_THEN_ANSWER, QueryMode.BOOLEAN, 3000, PaperRewards.EVIDENCE_QA, Runnable::run);
            QaQuestion question = data.questions().get(0);
            EnvironmentResult top = environment.scoreNow(question, answer("capital AND france"));
            assertEquals(6.0, top.reward(), 0); // rank 1: 1 + 5
            assertEquals(1.0, top.metrics().get("hits@1"), 0);
            // "alpha" matches all 31 passages equally except length: the gold one is longer, so it ranks after the fillers
            EnvironmentResult deep = environment.scoreNow(question, answer("alpha"));
            int rank = deep.metrics().get("first_hit_rank").intValue();
            assertTrue(rank > 20 && rank <= 50, "rank " + rank);
            assertEquals(3.0, deep.reward(), 0); // rank 21-50: 1 + 2
            assertEquals(-2.5, environment.scoreNow(question, answer("durian")).reward(), 0); // no hit: 1 - 3.5
            assertEquals(-3.0, environment.scoreNow(question, "<think>x</think><answer>not json</answer>").reward(), 0);
            assertEquals(-4.0, environment.scoreNow(question, "<answer>{\"query\": \"paris\"}</answer>").reward(), 0);
        }
    }

    private static String answer(String query) {
        return "<think>\nfind it\n</think>\n<answer>{\"query\": \"" + query + "\"}</answer>";
    }

    private static double round4(double value) {
        return Math.round(value * 1e4) / 1e4;
    }
}

package dev.deepretrieval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The figures {@code eval} prints are the figures trec_eval computes on the run file it writes: an independent
 * trec_eval-style evaluation of the written file (trec_eval's own tie order) agrees to 1e-4, and NFCorpus, whose run
 * has thousands of tied scores, reproduces Anserini's published nDCG@10 of 0.3218.
 */
class RunFileAgreementTest {

    @TempDir
    static Path cache;

    @BeforeAll
    static void pointAtProject() {
        System.setProperty("deepretrieval.home", Path.of("..").toAbsolutePath().normalize().toString());
        System.setProperty("deepretrieval.cache-dir", cache.toString());
    }

    @AfterAll
    static void clear() {
        System.clearProperty("deepretrieval.home");
        System.clearProperty("deepretrieval.cache-dir");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"scifact, data/beir-scifact, 0.6789", "../../shared/data/beir-nfcorpus, ../shared/data/beir-nfcorpus, 0.3218"})
    void printedFiguresAreTheRunFilesFigures(String dataset, String folder, double anseriniNdcg, @TempDir Path out)
            throws Exception {
        Path runFile = out.resolve("test.run");
        CliRun run = CliRun.of("eval", "--dataset", dataset,
                "--split", "test", "--run", runFile.toString(), "--json");
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        JsonNode printed = new ObjectMapper().readTree(run.lastLine());

        Path qrels = Path.of("..").resolve(folder).resolve("qrels/test.tsv");
        var trecEval = new IndependentTrecEval(runFile, qrels);
        assertEquals(printed.get("ndcg@10").asDouble(), trecEval.ndcg(10), 1e-4);
        assertEquals(printed.get("recall@100").asDouble(), trecEval.recall(100), 1e-4);
        assertEquals(printed.get("recall@1000").asDouble(), trecEval.recall(1000), 1e-4);
        assertEquals(anseriniNdcg, printed.get("ndcg@10").asDouble(), 1e-4);
    }
}

package dev.deepretrieval.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} on each local task family, two steps each through the CLI: evidence QA (bundled SQuAD), text-to-SQL
 * (bundled Spider dev on embedded H2) and dense BEIR retrieval (a SciFact subset under the bundled bge-small), and the
 * prompt budget leaving out prompts the model's context cannot hold.
 */
class TrainTaskFamiliesTest {

    private static final List<String> KEYS = List.of("deepretrieval.home", "deepretrieval.cache-dir",
            "deepretrieval.train.prompts-per-step", "deepretrieval.train.heldout.max-queries",
            "deepretrieval.train.validation.max-queries");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path cache;

    @BeforeAll
    static void smallRuns() {
        System.setProperty("deepretrieval.home", Path.of("..").toAbsolutePath().normalize().toString());
        System.setProperty("deepretrieval.cache-dir", cache.toString());
        System.setProperty("deepretrieval.train.prompts-per-step", "2");
        System.setProperty("deepretrieval.train.heldout.max-queries", "6");
        System.setProperty("deepretrieval.train.validation.max-queries", "4");
    }

    @AfterAll
    static void clear() {
        KEYS.forEach(System::clearProperty);
        System.clearProperty("deepretrieval.train.max-prompt-tokens");
    }

    @Test
    void evidenceQaTrainsOnSquadAndReportsHeldOutHits(@TempDir Path out) throws Exception {
        CliRun run = CliRun.of("train", "--task", "squad", "--steps", "2", "--out", out.toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals("evidence-qa", summary.path("config").path("family").asText());
        assertEquals("qa-bm25", summary.path("config").path("retriever").asText());
        assertEquals("squad, 1 in 20 questions held out", summary.path("heldout").path("split").asText());
        for (String row : List.of("original", "initial", "trained")) {
            JsonNode result = summary.path("heldout").path(row);
            for (String metric : List.of("hits@1", "hits@5", "hits@20", "hits@100")) {
                assertTrue(result.has(metric), metric + " of " + row + " in " + summary);
            }
            assertEquals(6, result.path("queries").asInt());
        }
        assertStepsReported(out, 2);
        assertTrue(run.err().contains("hits@20"), "the progress bar follows Hits@20: " + run.err());
    }

    @Test
    void textToSqlTrainsOnSpiderWithTheSchemaInThePrompt(@TempDir Path out) throws Exception {
        CliRun tooLong = CliRun.of("train", "--task", "spider", "--steps", "2", "--out", out.resolve("default").toString());
        assertEquals(ExitCode.BAD_CONFIG, tooLong.exitCode(), tooLong.err());
        assertTrue(tooLong.err().contains("none of the 968 training prompts fits in 416 tokens (the model's context of 512"
                + " minus 96 new tokens)"), "Spider prompts run from 483 to 2,221 tokens: " + tooLong.err());
        System.setProperty("deepretrieval.train.max-prompt-tokens", "600");
        CliRun run;
        try {
            run = CliRun.of("train", "--task", "spider", "--steps", "2", "--out", out.resolve("run").toString());
        } finally {
            System.clearProperty("deepretrieval.train.max-prompt-tokens");
        }
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        out = out.resolve("run");
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals("text-to-sql", summary.path("config").path("family").asText());
        assertFalse(summary.path("heldout").has("original"), "a question is not SQL: " + summary);
        for (String row : List.of("initial", "trained")) {
            JsonNode result = summary.path("heldout").path(row);
            assertTrue(result.has("exec_acc"), row + " in " + summary);
            assertEquals(6, result.path("queries").asInt());
        }
        assertStepsReported(out, 2);
        // 14 of the 1,034 gold queries do not run on H2 (SpiderGoldExecutionTest); 14 of the 982 trained on
        assertTrue(run.err().contains("14 of 982 training questions left out: their gold query does not run"), run.err());
        assertTrue(run.err().matches("(?s).*\\d+ training prompts longer than 600 tokens left out \\(\\d+ kept\\).*"),
                run.err());
    }

    @Test
    void denseRetrievalTrainsOnABeirFolder(@TempDir Path data, @TempDir Path out) throws Exception {
        Path folder = sciFactSubset(data.resolve("scifact-mini"), 300);
        CliRun run = CliRun.of("train", "--task", folder.toString(), "--template", "scifact", "--retriever", "dense",
                "--steps", "2", "--out", out.toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals("dense", summary.path("config").path("retriever").asText());
        for (String row : List.of("original", "initial", "trained")) {
            assertTrue(summary.path("heldout").path(row).has("ndcg@10"), row + " in " + summary);
        }
        assertStepsReported(out, 2);
    }

    @Test
    void literatureSearchTrainsOnTheLocalCohenEngine(@TempDir Path out) throws Exception {
        CliRun run = CliRun.of("train", "--task", "cohen2006", "--steps", "2", "--out", out.toString());
        assertEquals(ExitCode.OK, run.exitCode(), run.err());
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals("literature-search", summary.path("config").path("family").asText());
        assertEquals("local-cohen2006", summary.path("config").path("retriever").asText());
        assertEquals("cohen2006, 1 in 20 tasks held out, local-cohen2006", summary.path("heldout").path("split").asText());
        for (String row : List.of("original", "initial", "trained")) {
            JsonNode result = summary.path("heldout").path(row);
            assertTrue(result.has("recall@3000"), row + " in " + summary);
            assertEquals(0, result.path("failed").asInt());
            assertEquals(1, result.path("queries").asInt(), "of 14 reviews the first is held out");
        }
        assertStepsReported(out, 2);
        JsonNode step = JSON.readTree(Files.readAllLines(out.resolve("metrics.jsonl")).getLast());
        assertTrue(step.has("env/search/cache_hit_rate"), "the cache's hit rate is a step metric: " + step);
    }

    @Test
    void evalSearchesPubMedThroughTheGivenUrlWithTheProtocolAndItsFaults() throws Exception {
        Path data = Path.of("..", "data", "cohen2006").toAbsolutePath().normalize();
        try (var index = dev.deepretrieval.environments.lucene.FlatBm25Index.openOrBuild(
                        dev.deepretrieval.environments.beir.Corpus.in("cohen2006", data, "corpus.jsonl"), cache,
                        dev.deepretrieval.environments.lucene.IndexBuildListener.SILENT);
                var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            var engine = new dev.deepretrieval.environments.search.LocalSearchEngine("local", index.searcher(
                    new dev.deepretrieval.environments.lucene.Bm25Parameters(0.9f, 0.4f), 1024), pool);
            var plan = new dev.deepretrieval.testsupport.FaultPlan(0.1, 0, 0.1, 0, java.time.Duration.ZERO, 0, 0.1, 3);
            try (var server = dev.deepretrieval.testsupport.LiteratureApiServer.start(engine, plan, 0)) {
                System.setProperty("deepretrieval.search.pubmed.backoff-min", "10ms");
                System.setProperty("deepretrieval.search.cache.store", "none");
                CliRun run;
                try {
                    run = CliRun.of("eval", "--dataset", "clef-tar-2019", "--split", "test", "--pubmed-url",
                            server.eutilsUrl(), "--json");
                } finally {
                    System.clearProperty("deepretrieval.search.pubmed.backoff-min");
                    System.clearProperty("deepretrieval.search.cache.store");
                }
                assertEquals(ExitCode.OK, run.exitCode(), run.err());
                JsonNode result = JSON.readTree(run.lastLine());
                assertEquals("pubmed", result.path("engine").asText());
                assertEquals(20, result.path("queries").asInt());
                assertEquals(0, result.path("failed").asInt(), "faults were retried");
                // the server answers from the Cohen corpus, which holds a few of the CLEF reviews' PMIDs
                var tasks = dev.deepretrieval.environments.search.LiteratureTasks.read(
                        Path.of("..", "data", "clef-tar-2019"), java.util.Optional.of("test")).tasks();
                double expected = 0;
                for (var task : tasks) {
                    expected += dev.deepretrieval.environments.search.LiteratureEnvironment.recall(engine.search(
                            new dev.deepretrieval.environments.search.SearchRequest(task.originalQuery(),
                                    java.util.Optional.empty(), 3000)).toCompletableFuture().join(), task);
                }
                assertEquals(expected / tasks.size(), result.path("recall@3000").asDouble(), 1e-12);
                assertTrue(server.count(dev.deepretrieval.testsupport.FaultPlan.Fault.NONE) >= 20);
                assertTrue(server.arrivals().size() > server.count(dev.deepretrieval.testsupport.FaultPlan.Fault.NONE),
                        "some requests met faults and were retried");
                assertTrue(server.maxRequestsWithin(java.time.Duration.ofSeconds(1)) <= 3, "NCBI's 3 requests/s without a key");
            }
        }
    }

    @Test
    void promptsBeyondTheBudgetAreLeftOutAndABudgetNothingFitsIsAConfigError(@TempDir Path out) throws Exception {
        // the default policy's SciFact prompts run from 217 to 279 tokens
        System.setProperty("deepretrieval.train.max-prompt-tokens", "230");
        try {
            CliRun run = CliRun.of("train", "--steps", "1", "--skip-heldout", "--out", out.resolve("some").toString());
            assertEquals(ExitCode.OK, run.exitCode(), run.err());
            assertTrue(run.err().matches("(?s).*\\d+ training prompts longer than 230 tokens left out \\(\\d+ kept\\).*"),
                    run.err());
            System.setProperty("deepretrieval.train.max-prompt-tokens", "5");
            CliRun none = CliRun.of("train", "--steps", "1", "--out", out.resolve("none").toString());
            assertEquals(ExitCode.BAD_CONFIG, none.exitCode(), none.err());
            // 708 of SciFact's 809 train claims: 1 in 8 is carved out for validation
            assertTrue(none.err().contains("none of the 708 training prompts fits in 5 tokens (the configured budget)"), none.err());
        } finally {
            System.clearProperty("deepretrieval.train.max-prompt-tokens");
        }
    }

    private static void assertStepsReported(Path out, int steps) throws IOException {
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl")).stream()
                .filter(line -> line.contains("\"reward_mean\"")).toList();
        assertEquals(steps, lines.size());
        for (int i = 0; i < steps; i++) {
            JsonNode line = JSON.readTree(lines.get(i));
            assertEquals(i + 1, line.get("step").asInt());
            assertEquals(2 * 2, line.get("scored").asInt() + line.get("failed").asInt(),
                    "2 prompts x a GRPO group of 2 (the default run): " + line);
        }
    }

    /**
     * A BEIR folder cut from the bundled SciFact: the first 8 train and 6 test queries with their judgments, the
     * documents they judge, and the first {@code others} further documents.
     */
    private static Path sciFactSubset(Path root, int others) throws IOException {
        Path source = Path.of("..", "data", "beir-scifact").toAbsolutePath().normalize();
        Files.createDirectories(root.resolve("qrels"));
        Set<String> queries = new LinkedHashSet<>();
        Set<String> docs = new LinkedHashSet<>();
        for (String split : List.of("train", "test")) {
            var kept = new ArrayList<String>();
            List<String> lines = Files.readAllLines(source.resolve("qrels").resolve(split + ".tsv"));
            kept.add(lines.get(0));
            Set<String> splitQueries = new LinkedHashSet<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t");
                if (splitQueries.size() < (split.equals("train") ? 8 : 6) || splitQueries.contains(f[0])) {
                    splitQueries.add(f[0]);
                    docs.add(f[1]);
                    kept.add(line);
                }
            }
            queries.addAll(splitQueries);
            Files.write(root.resolve("qrels").resolve(split + ".tsv"), kept);
        }
        copyLines(source.resolve("queries.jsonl.gz"), root.resolve("queries.jsonl.gz"),
                line -> queries.contains(idOf(line)));
        int[] extra = {0};
        copyLines(source.resolve("corpus.jsonl.gz"), root.resolve("corpus.jsonl.gz"),
                line -> docs.contains(idOf(line)) || extra[0]++ < others);
        return root;
    }

    private static String idOf(String jsonLine) throws IOException {
        return JSON.readTree(jsonLine).path("_id").asText();
    }

    private interface LineFilter {
        boolean keep(String line) throws IOException;
    }

    private static void copyLines(Path from, Path to, LineFilter filter) throws IOException {
        try (var in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(from)),
                        StandardCharsets.UTF_8));
                OutputStream out = new GZIPOutputStream(Files.newOutputStream(to))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (filter.keep(line)) {
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }
}

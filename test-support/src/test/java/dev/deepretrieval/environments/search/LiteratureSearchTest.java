package dev.deepretrieval.environments.search;

import dev.deepretrieval.testsupport.FaultPlan;
import dev.deepretrieval.testsupport.LiteratureApiServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.beir.Corpus;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.lucene.IndexBuildListener;
import dev.deepretrieval.environments.reward.PaperRewards;
import dev.deepretrieval.environments.sql.R2dbcDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PubMed and ClinicalTrials.gov clients against our own server on 127.0.0.1 that speaks both protocols over the
 * bundled Cohen 2006 corpus (Lucene BM25), faults included; the cache; the literature environment.
 */
class LiteratureSearchTest {

    @TempDir
    static Path cache;

    private static FlatBm25Index index;
    private static ExecutorService pool;
    private static LocalSearchEngine engine;
    private static ActorSystem system;
    private static List<LiteratureTask> tasks;

    private static final List<String> QUERIES = List.of("ACE inhibitors AND hypertension", "(triptans OR sumatriptan) AND migraine",
            "proton pump inhibitors", "beta blockers AND (heart failure OR myocardial infarction)", "opioids AND pain",
            "estrogen replacement therapy", "NSAIDs AND osteoarthritis", "antihistamines AND rhinitis",
            "atypical antipsychotics AND schizophrenia", "methylphenidate AND ADHD", "oxybutynin OR tolterodine",
            "calcium channel blockers", "metformin AND diabetes", "cyclobenzaprine OR tizanidine", "randomized trial");

    @BeforeAll
    static void start() {
        Path data = Path.of("..", "data", "cohen2006").toAbsolutePath().normalize();
        index = FlatBm25Index.openOrBuild(Corpus.in("cohen2006", data, "corpus.jsonl"), cache, IndexBuildListener.SILENT);
        pool = Executors.newFixedThreadPool(4);
        engine = new LocalSearchEngine("local-cohen2006", index.searcher(new Bm25Parameters(0.9f, 0.4f), 1024), pool);
        system = ActorSystem.create("literature-search-test");
        tasks = LiteratureTasks.read(data, Optional.empty()).tasks();
    }

    @AfterAll
    static void stop() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get();
        pool.shutdownNow();
        index.close();
    }

    /** Settings with a generous timeout, for tests without slow responses. */
    private static ApiSettings api(String url, double rate, int attempts) {
        return api(url, rate, attempts, Duration.ofSeconds(10));
    }

    private static ApiSettings api(String url, double rate, int attempts, Duration timeout) {
        return new ApiSettings(url, rate, timeout, attempts, Duration.ofMillis(10), Duration.ofMillis(80), 5,
                Duration.ofSeconds(1), 4);
    }

    private static List<String> direct(String query, int depth) {
        return engine.search(new SearchRequest(query, Optional.empty(), depth)).toCompletableFuture().join();
    }

    @Test
    void bothProtocolsPageToTheDepthAndReturnTheEngineRanking() throws Exception {
        try (var server = LiteratureApiServer.start(engine, FaultPlan.none(), 0)) {
            var client = new ResilientHttpClient("pubmed", api(server.eutilsUrl(), 1000, 1), new RequestRateLimiter(1000),
                    system);
            var pubmed = new PubMedSearch(client, server.eutilsUrl(), 1000, Optional.of("k3y"), "deepretrieval", "dev@example.org");
            String query = "hypertension OR blood pressure";
            List<String> expected = direct(query, 2500);
            assertEquals(2500, expected.size(), "the query matches more than the depth");
            assertEquals(expected, pubmed.search(new SearchRequest(query, Optional.empty(), 2500)).toCompletableFuture().get());
            assertEquals(3, server.arrivals().size(), "retmax 1000: pages at retstart 0, 1000, 2000");
            var ctgovClient = new ResilientHttpClient("ctgov", api(server.clinicalTrialsUrl(), 1000, 1),
                    new RequestRateLimiter(1000), system);
            var ctgov = new ClinicalTrialsSearch(ctgovClient, server.clinicalTrialsUrl());
            assertEquals(expected, ctgov.search(new SearchRequest(query, Optional.empty(), 2500)).toCompletableFuture().get());
            assertEquals(6, server.arrivals().size(), "pageSize 1000: three pages by nextPageToken");
            List<String> few = direct("sumatriptan", 3000);
            assertTrue(few.size() < 1000, "fewer hits than one page");
            assertEquals(few, pubmed.search(new SearchRequest("sumatriptan", Optional.empty(), 3000)).toCompletableFuture().get());
            assertEquals(7, server.arrivals().size(), "one page when the count is below retmax");
        }
    }

    @Test
    void theQueryIsUrlEncodedAndTheDateLimitAndKeyAreSent() {
        var client = new ResilientHttpClient("pubmed", api("http://127.0.0.1:9", 10, 1), new RequestRateLimiter(10), system);
        var pubmed = new PubMedSearch(client, "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/", 3000, Optional.of("abc"),
                "deepretrieval", "a@b.org");
        String url = pubmed.url(new SearchRequest("(statin* OR \"HMG-CoA\") AND risk & #1",
                Optional.of(java.time.LocalDate.of(2019, 3, 7)), 3000), 0, 3000);
        assertEquals("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi?db=pubmed&retmode=json"
                + "&term=%28statin*+OR+%22HMG-CoA%22%29+AND+risk+%26+%231&retmax=3000&retstart=0"
                + "&datetype=pdat&mindate=1970/01/01&maxdate=2019%2F03%2F07&api_key=abc&tool=deepretrieval&email=a%40b.org", url);
    }

    @Test
    void underFaultsEverySearchEndsAnsweredOrExplicitlyFailedAndTheRateHolds() throws Exception {
        var plan = new FaultPlan(0.05, 0.05, 0.10, 0.05, Duration.ofMillis(800), 0.05, 0.05, 42);
        try (var server = LiteratureApiServer.start(engine, plan, 0)) {
            // slow answers take 800 ms, past the 400 ms timeout
            var client = new ResilientHttpClient("pubmed", api(server.eutilsUrl(), 10, 12, Duration.ofMillis(400)),
                    new RequestRateLimiter(10), system);
            var pubmed = new PubMedSearch(client, server.eutilsUrl(), 3000, Optional.empty(), "", "");
            var searches = new ArrayList<CompletableFuture<List<String>>>();
            for (String query : QUERIES) {
                searches.add(pubmed.search(new SearchRequest(query, Optional.empty(), 200)).toCompletableFuture());
            }
            int answered = 0;
            int failed = 0;
            for (int i = 0; i < QUERIES.size(); i++) {
                try {
                    assertEquals(direct(QUERIES.get(i), 200), searches.get(i).get(120, TimeUnit.SECONDS), QUERIES.get(i));
                    answered++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertInstanceOf(SearchApiException.class, e.getCause());
                    failed++;
                }
            }
            assertEquals(QUERIES.size(), answered + failed, "none lost");
            assertEquals(failed, client.failures(), "each failure counted once");
            // a slow answer comes after the client's timeout, so only proper answers are used: one per answered search
            assertEquals(answered, server.count(FaultPlan.Fault.NONE), "no search answered twice");
            long faults = server.arrivals().size() - server.count(FaultPlan.Fault.NONE);
            assertTrue(faults > 0 && client.retries() >= faults, "faults were met and retried: " + faults);
            assertTrue(server.maxRequestsWithin(Duration.ofSeconds(1)) <= 10,
                    "at most 10 requests in any second at the server: " + server.maxRequestsWithin(Duration.ofSeconds(1)));
        }
    }

    @Test
    void theBreakerOpensUnderAnOutageFailsFastAndClosesAfterRecovery() throws Exception {
        try (var server = LiteratureApiServer.start(engine, FaultPlan.none(), 0)) {
            var client = new ResilientHttpClient("ctgov", api(server.clinicalTrialsUrl(), 1000, 3),
                    new RequestRateLimiter(1000), system);
            var ctgov = new ClinicalTrialsSearch(client, server.clinicalTrialsUrl());
            var opened = new CompletableFuture<Void>();
            client.breaker().addOnOpenListener(() -> opened.complete(null));
            server.outage(true);
            // two searches of three attempts: the first five reach the server and fail, the sixth meets the open breaker
            for (int i = 0; i < 2; i++) {
                var failure = assertThrows(CompletionException.class, () -> ctgov.search(
                        new SearchRequest("opioids", Optional.empty(), 10)).toCompletableFuture().join());
                assertInstanceOf(SearchApiException.class, failure.getCause());
            }
            opened.get(30, TimeUnit.SECONDS);
            assertTrue(client.breaker().isOpen(), "5 consecutive failures open the breaker");
            assertEquals(5, server.outageAnswers(), "an attempt while open fails fast without a request");
            var closed = new CompletableFuture<Void>();
            client.breaker().addOnCloseListener(() -> closed.complete(null));
            server.outage(false);
            List<String> answer = ctgov.search(new SearchRequest("opioids", Optional.empty(), 10)).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            assertEquals(direct("opioids", 10), answer, "after the reset timeout a trial call goes through");
            // the breaker closes in the trial call's own completion callback, which may run just after ours
            closed.get(30, TimeUnit.SECONDS);
            assertTrue(client.breaker().isClosed());
        }
    }

    @Test
    void theCacheServesRepeatsWithoutRequestsAcrossInstancesAndSharesCallsInFlight(@TempDir Path store) throws Exception {
        try (var server = LiteratureApiServer.start(engine, FaultPlan.none(), 0)) {
            var limiter = new RequestRateLimiter(1000);
            var request = new SearchRequest("  beta blockers   AND heart failure ", Optional.of(java.time.LocalDate.of(2005, 1, 1)), 100);
            ExecutorService storeIo = Executors.newSingleThreadExecutor();
            try (var first = new CachedSearchEngine(new PubMedSearch(new ResilientHttpClient("pubmed",
                            api(server.eutilsUrl(), 1000, 1), limiter, system), server.eutilsUrl(), 3000, Optional.empty(), "", ""),
                    64, Optional.of(new SearchResultStore(R2dbcDatabase.embedded(store.resolve("cache")))), storeIo)) {
                var a = first.search(request).toCompletableFuture();
                var b = first.search(new SearchRequest("beta blockers AND heart failure", request.maxDate(), 100))
                        .toCompletableFuture();
                assertEquals(a.get(), b.get());
                assertEquals(1, server.arrivals().size(), "concurrent identical searches share one call");
                assertEquals(a.get(), first.search(request).toCompletableFuture().get());
                assertEquals(1, server.arrivals().size(), "a repeat costs no request");
                first.search(new SearchRequest(request.query(), Optional.empty(), 100)).toCompletableFuture().get();
                assertEquals(2, server.arrivals().size(), "another date limit is another search");
                assertEquals(1, first.misses() - 1);
                assertEquals(2.0 / 4, first.hitRate(), 1e-9);
            }
            try (var second = new CachedSearchEngine(new PubMedSearch(new ResilientHttpClient("pubmed",
                            api(server.eutilsUrl(), 1000, 1), limiter, system), server.eutilsUrl(), 3000, Optional.empty(), "", ""),
                    64, Optional.of(new SearchResultStore(R2dbcDatabase.embedded(store.resolve("cache")))), storeIo)) {
                assertEquals(direct("beta blockers AND heart failure", 100), second.search(request).toCompletableFuture().get());
                assertEquals(2, server.arrivals().size(), "after a restart the store answers");
                assertEquals(1, second.storeHits());
            }
            storeIo.shutdownNow();
        }
    }

    @Test
    void theEnvironmentRewardsRecallTiersAndFailsWhenTheEngineCannotAnswer() throws Exception {
        LiteratureTask task = tasks.stream().filter(t -> t.id().equals("Triptans")).findFirst().orElseThrow();
        assertEquals(24, task.included().size());
        var environment = new LiteratureEnvironment(engine, AnswerFormat.THINK_THEN_ANSWER, 3000,
                PaperRewards.LITERATURE_SEARCH);
        String query = "triptans OR sumatriptan OR zolmitriptan OR rizatriptan OR naratriptan OR eletriptan";
        EnvironmentResult result = environment.score(task, "<think>x</think>\n<answer>{\"query\": \"" + query + "\"}</answer>")
                .toCompletableFuture().get();
        double recall = LiteratureEnvironment.recall(direct(query, 3000), task);
        assertEquals(recall, result.metrics().get("recall@3000"), 1e-12);
        assertTrue(recall >= 0.7, "the drug names find the included trials: " + recall);
        assertEquals(1 + 5, result.reward(), 1e-12, "format +1, recall >= 0.7 +5");
        assertEquals(-4, environment.score(task, "no tags at all").toCompletableFuture().get().reward(), 1e-12);
        assertEquals(1 - 4, environment.score(task, "<think>x</think>\n<answer>{\"q\": 1}</answer>")
                .toCompletableFuture().get().reward(), 1e-12, "an unusable answer: +1 - 4");
        SearchEngine down = new SearchEngine() {
            @Override
            public String name() {
                return "down";
            }

            @Override
            public java.util.concurrent.CompletionStage<List<String>> search(SearchRequest request) {
                return CompletableFuture.failedFuture(new SearchApiException("down", null));
            }
        };
        var failing = new LiteratureEnvironment(down, AnswerFormat.THINK_THEN_ANSWER, 3000, PaperRewards.LITERATURE_SEARCH);
        var error = assertThrows(java.util.concurrent.ExecutionException.class, () -> failing.score(task,
                "<think>x</think>\n<answer>{\"query\": \"triptans\"}</answer>").toCompletableFuture().get());
        assertInstanceOf(SearchApiException.class, error.getCause(), "an engine failure is a failure, not a reward");
    }

    @Test
    void theBundledTasksAreTheReviewsWithTheirIncludedStudies() {
        assertEquals(14, tasks.size());
        assertEquals(761, tasks.stream().mapToInt(t -> t.included().size()).sum());
        LiteratureTasks.Loaded clef = LiteratureTasks.read(Path.of("..", "data", "clef-tar-2019"), Optional.of("test"));
        assertEquals(20, clef.tasks().size());
        LiteratureTasks.Loaded clefTrain = LiteratureTasks.read(Path.of("..", "data", "clef-tar-2019"), Optional.of("train"));
        assertEquals(19, clefTrain.tasks().size());
        assertEquals(1, clefTrain.withoutIncluded(), "a review with no included study cannot be scored");
        Set<String> ids = new HashSet<>();
        tasks.forEach(t -> ids.add(t.id()));
        assertEquals(14, ids.size());
        assertEquals("P: \nI: triptans\nC: \nO: \n", tasks.stream().filter(t -> t.id().equals("Triptans")).findFirst()
                .orElseThrow().pico());
    }

    @Test
    void faultPlansPickByShare() {
        var plan = new FaultPlan(0.1, 0.1, 0.1, 0.1, Duration.ZERO, 0.1, 0.1, 0);
        assertEquals(FaultPlan.Fault.RATE_LIMITED, plan.pick(0.05));
        assertEquals(FaultPlan.Fault.RATE_LIMITED_BARE, plan.pick(0.15));
        assertEquals(FaultPlan.Fault.SERVER_ERROR, plan.pick(0.25));
        assertEquals(FaultPlan.Fault.SLOW, plan.pick(0.35));
        assertEquals(FaultPlan.Fault.DROPPED, plan.pick(0.45));
        assertEquals(FaultPlan.Fault.MALFORMED, plan.pick(0.55));
        assertEquals(FaultPlan.Fault.NONE, plan.pick(0.65));
        assertThrows(IllegalArgumentException.class, () -> new FaultPlan(0.5, 0.6, 0, 0, Duration.ZERO, 0, 0, 0));
    }
}

package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.actors.NodeSystem;
import dev.deepretrieval.environments.answer.AnswerFormat;
import dev.deepretrieval.environments.reward.PaperRewards;
import dev.deepretrieval.environments.search.ApiSettings;
import dev.deepretrieval.environments.search.CachedSearchEngine;
import dev.deepretrieval.environments.search.LiteratureEnvironment;
import dev.deepretrieval.environments.search.LiteratureTask;
import dev.deepretrieval.environments.search.LiteratureTasks;
import dev.deepretrieval.environments.search.PubMedSearch;
import dev.deepretrieval.environments.search.RequestRateLimiter;
import dev.deepretrieval.environments.search.ResilientHttpClient;
import dev.deepretrieval.environments.search.SearchEngine;
import dev.deepretrieval.testsupport.FaultPlan;
import dev.deepretrieval.testsupport.LiteratureApiServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.apache.pekko.actor.ActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Sustained scored rollouts/s of the PubMed environment against our local ESearch server (over the Cohen 2006
 * corpus) throttled to {@code requests-per-second}, with the search cache off and on: rollouts repeat queries as RL
 * epochs do.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Scored rollouts/s of the PubMed environment against the local ESearch server at"
                + " deepretrieval.bench.search.requests-per-second, cache off and on.",
        footer = ExitCode.HELP_FOOTER)
final class BenchSearchCommand implements Callable<Integer> {

    private static final String PREFIX = "deepretrieval.bench.search.";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--json", description = "Print the figures as one JSON object on the last line of stdout.")
    boolean json;

    /** One measured configuration. */
    private record Run(String cache, int rollouts, double seconds, long requests, long failed, double hitRate,
            int maxPerSecond) {}

    @Override
    public Integer call() throws Exception {
        Settings settings = new Settings(configOptions.load());
        PrintWriter out = spec.commandLine().getOut();
        double rate = settings.number(PREFIX + "requests-per-second");
        int rollouts = settings.positiveInt(PREFIX + "rollouts");
        int variants = settings.positiveInt(PREFIX + "queries-per-task");
        int concurrency = settings.positiveInt(PREFIX + "concurrency");
        Path folder = settings.path("deepretrieval.datasets.cohen2006");
        List<LiteratureTask> tasks = LiteratureTasks.read(folder, Optional.empty()).tasks();
        List<Integer> picks = new ArrayList<>();
        var random = new SplittableRandom(settings.raw().getLong(PREFIX + "seed"));
        for (int i = 0; i < rollouts; i++) {
            picks.add(random.nextInt(tasks.size() * variants));
        }
        ActorSystem system = NodeSystem.obtain(settings.raw()).classicSystem();
        var runs = new ArrayList<Run>();
        try (var owned = new OwnedResources()) {
            SearchEngine local = SearchSetup.local(settings, "cohen2006", folder, new ConsoleProgress(System.err), owned);
            try (var server = LiteratureApiServer.start(local, FaultPlan.none(), 0)) {
                var limiter = new RequestRateLimiter(rate); // one per API on the node, as in training
                for (String cache : List.of("off", "on")) {
                    ApiSettings base = SearchSetup.apiSettings(settings, "pubmed", server.eutilsUrl(), false);
                    var api = new ApiSettings(base.baseUrl(), rate, base.callTimeout(), base.maxAttempts(),
                            base.backoffMin(), base.backoffMax(), base.breakerFailures(), base.breakerReset(),
                            base.maxConnections());
                    var client = new ResilientHttpClient("pubmed", api, limiter, system);
                    SearchEngine pubmed = new PubMedSearch(client, api.baseUrl(), 3000, Optional.empty(), "deepretrieval", "");
                    CachedSearchEngine cached = cache.equals("on") ? new CachedSearchEngine(pubmed, 100_000, Optional.empty(),
                            Runnable::run) : null;
                    var environment = new LiteratureEnvironment(cached != null ? cached : pubmed,
                            AnswerFormat.THINK_THEN_ANSWER, settings.positiveInt("deepretrieval.search.depth"),
                            PaperRewards.LITERATURE_SEARCH);
                    long before = server.arrivals().size();
                    spec.commandLine().getErr().printf(Locale.ROOT, "cache %s: %d rollouts at %.0f requests/s...%n", cache,
                            rollouts, rate);
                    long start = System.nanoTime();
                    long failed = score(environment, tasks, picks, variants, concurrency);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    runs.add(new Run(cache, rollouts, seconds, server.arrivals().size() - before, failed,
                            cached != null ? cached.hitRate() : 0, server.maxRequestsWithin(Duration.ofSeconds(1))));
                }
            }
        } finally {
            NodeSystem.terminate(60);
        }
        out.printf(Locale.ROOT, "PubMed environment vs the local ESearch server (Cohen 2006, %d tasks x %d queries),"
                + " throttled to %.0f requests/s, %d rollouts, %d at once%n", tasks.size(), variants, rate, rollouts, concurrency);
        out.printf(Locale.ROOT, "%-6s %12s %10s %10s %8s %10s %14s%n", "cache", "rollouts/s", "seconds", "requests",
                "failed", "hit rate", "max req in 1s");
        for (Run run : runs) {
            out.printf(Locale.ROOT, "%-6s %12.2f %10.2f %10d %8d %10.3f %14d%n", run.cache(), run.rollouts() / run.seconds(),
                    run.seconds(), run.requests(), run.failed(), run.hitRate(), run.maxPerSecond());
        }
        if (json) {
            ObjectNode node = Json.object();
            node.put("requests_per_second_limit", rate);
            node.put("rollouts", rollouts);
            for (Run run : runs) {
                node.putObject("cache_" + run.cache()).put("rollouts_per_second", run.rollouts() / run.seconds())
                        .put("seconds", run.seconds()).put("requests", run.requests()).put("failed", run.failed())
                        .put("hit_rate", run.hitRate()).put("max_requests_in_one_second", run.maxPerSecond());
            }
            out.println(Json.line(node));
        }
        out.flush();
        return ExitCode.OK;
    }

    /** Scores the rollouts, {@code concurrency} at a time; returns how many failed. */
    private static long score(LiteratureEnvironment environment, List<LiteratureTask> tasks, List<Integer> picks,
            int variants, int concurrency) throws InterruptedException {
        var permits = new Semaphore(concurrency);
        var all = new ArrayList<CompletableFuture<Boolean>>();
        for (int pick : picks) {
            LiteratureTask task = tasks.get(pick / variants);
            String query = variant(task, pick % variants);
            permits.acquire();
            all.add(environment.score(task, "<think>search</think>\n<answer>{\"query\": \"" + query.replace("\"", "'")
                    + "\"}</answer>").toCompletableFuture().handle((result, error) -> {
                        permits.release();
                        return error == null;
                    }));
        }
        return all.stream().filter(f -> !f.join()).count();
    }

    /** The task's query variant {@code v}: its original query, then narrower forms of it. */
    private static String variant(LiteratureTask task, int v) {
        String original = task.originalQuery();
        return switch (v % 3) {
            case 0 -> original;
            case 1 -> "(" + original + ") AND randomized";
            default -> "(" + original + ") AND (trial OR study)";
        } + (v >= 3 ? " AND v" + v : "");
    }
}

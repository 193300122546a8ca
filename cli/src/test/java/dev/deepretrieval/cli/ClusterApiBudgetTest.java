package dev.deepretrieval.cli;

import static dev.deepretrieval.cli.LocalCluster.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.deepretrieval.actors.EnvironmentActor;
import dev.deepretrieval.actors.Rollout;
import dev.deepretrieval.actors.RolloutScorer;
import dev.deepretrieval.cluster.ClusterNodeSettings;
import dev.deepretrieval.cluster.ClusterScoring;
import dev.deepretrieval.cluster.NodeRole;
import dev.deepretrieval.environments.beir.Corpus;
import dev.deepretrieval.environments.lucene.Bm25Parameters;
import dev.deepretrieval.environments.lucene.FlatBm25Index;
import dev.deepretrieval.environments.lucene.IndexBuildListener;
import dev.deepretrieval.environments.retrieval.RetrieverKind;
import dev.deepretrieval.environments.search.LocalSearchEngine;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.runs.RunScoring;
import dev.deepretrieval.tasks.Settings;
import dev.deepretrieval.testsupport.FaultPlan;
import dev.deepretrieval.testsupport.LiteratureApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One PubMed budget for the whole cluster: three env nodes (separate JVMs) score the rollouts of three runs on a
 * literature task (the Cohen 2006 reviews, searched through our ESearch server on 127.0.0.1), each run's through its
 * own scoring entity, all at once; the server never sees more than the configured rate in any second.
 */
class ClusterApiBudgetTest {

    private static final int RATE = 6;
    /** The env nodes call the API (this test's member only sends rollouts): each keeps to floor(6 / 3) = 2 a second. */
    private static final int ENV_NODES = 3;
    private static final int ROLLOUTS_PER_PROMPT = 2;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void threeEnvNodesKeepTogetherToTheApisRateInEverySecond(@TempDir Path temp) throws Exception {
        Path data = Path.of("..", "data", "cohen2006").toAbsolutePath().normalize();
        // the Cohen reviews without their corpus: their queries go to the configured engine, PubMed
        Path tasks = Files.createDirectories(temp.resolve("cohen-pubmed"));
        Files.copy(data.resolve("tasks.jsonl"), tasks.resolve("tasks.jsonl"));
        var ids = new ArrayList<String>();
        for (String line : Files.readAllLines(tasks.resolve("tasks.jsonl"))) {
            ids.add(JsonMapping.mapper().readTree(line).path("id").asText());
        }
        try (var index = FlatBm25Index.openOrBuild(Corpus.in("cohen2006", data, "corpus.jsonl"), temp.resolve("index"),
                        IndexBuildListener.SILENT);
                var pool = Executors.newFixedThreadPool(2);
                var server = LiteratureApiServer.start(new LocalSearchEngine("local", index.searcher(
                        new Bm25Parameters(0.9f, 0.4f), 1024), pool), FaultPlan.none(), 0)) {
            String[] apiSettings = {"-Ddeepretrieval.search.pubmed.base-url=" + server.eutilsUrl(),
                "-Ddeepretrieval.search.pubmed.requests-per-second=" + RATE, "-Ddeepretrieval.search.cache.store=none"};
            int seedPort = freePort();
            String seed = "127.0.0.1:" + seedPort;
            try (var cluster = new LocalCluster(temp, apiSettings)) {
                cluster.node("env-1", "env", seedPort, seed);
                cluster.node("env-2", "env", freePort(), seed);
                cluster.node("env-3", "env", freePort(), seed);
                System.setProperty("deepretrieval.home", Path.of("..").toAbsolutePath().normalize().toString());
                Settings settings;
                try {
                    settings = new Settings(ConfigFactory.parseString("deepretrieval.search.pubmed.base-url = \""
                            + server.eutilsUrl() + "\", deepretrieval.cache-dir = \"" + temp.resolve("cache-test")
                            + "\"").withFallback(ConfigLoader.load(null)));
                } finally {
                    System.clearProperty("deepretrieval.home");
                }
                ClusterNodeSettings member = ClusterNodeSettings.from(settings).withRoles(Set.of(NodeRole.HTTP))
                        .withPort(freePort()).withSeedNodes(List.of(seed));
                ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "deepretrieval",
                        member.pekkoConfig().withFallback(settings.raw()));
                try {
                    awaitMembersUp(system, ENV_NODES + 1);
                    ClusterScoring scoring = ClusterScoring.start(system, settings, line -> {});
                    var outcomes = new ArrayList<CompletableFuture<EnvironmentActor.ScoreOutcome>>();
                    for (int run = 1; run <= 3; run++) {
                        RolloutScorer<Object> scorer = scoring.<Object>scorer(new RunScoring.Target("budget-" + run,
                                tasks.toString(), "", RetrieverKind.parse("bm25").label(),
                                Path.of("..", "models", "default-policy").toAbsolutePath().normalize(), "cpu", 96))
                                .orElseThrow();
                        for (int p = 0; p < ids.size(); p++) {
                            for (int i = 0; i < ROLLOUTS_PER_PROMPT; i++) {
                                // every query distinct, so that no cache answers in the API's place
                                String completion = "<think>x</think><answer>{\"query\": \"(" + ids.get(p)
                                        + ") AND (trial OR study" + run + "x" + i + ")\"}</answer>";
                                outcomes.add(scorer.score(new Rollout(run, p * ROLLOUTS_PER_PROMPT + i, ids.get(p),
                                        new int[0], new int[0], completion, 0, new float[0], null, List.of()), null)
                                        .toCompletableFuture());
                            }
                        }
                    }
                    int scored = 0;
                    for (CompletableFuture<EnvironmentActor.ScoreOutcome> outcome : outcomes) {
                        EnvironmentActor.ScoreOutcome result = outcome.get(5, TimeUnit.MINUTES);
                        if (result instanceof EnvironmentActor.Scored) {
                            scored++;
                        } else {
                            // the reviews held out of training are not the runs' prompts
                            assertTrue(result.toString().contains("no prompt"), result.toString());
                        }
                    }
                    assertTrue(scored >= 3 * ROLLOUTS_PER_PROMPT * (ids.size() - 3), scored + " scored");
                } finally {
                    system.terminate();
                    system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
                }
                List<Long> arrivals = server.arrivals();
                int busiest = server.maxRequestsWithin(Duration.ofSeconds(1));
                assertTrue(arrivals.size() >= 3 * ROLLOUTS_PER_PROMPT * (ids.size() - 3),
                        "every scored rollout searched: " + arrivals.size());
                assertTrue(busiest <= RATE, "the cluster keeps to " + RATE + " requests/s; the server saw " + busiest
                        + " in one second");
                assertTrue(busiest > RATE / ENV_NODES, "more than one node's share in some second, so several nodes"
                        + " sent at once: " + busiest);
                long scoringNodes = List.of("env-1", "env-2", "env-3").stream()
                        .filter(name -> read(cluster, name).contains("to score run budget-")).count();
                assertEquals(ENV_NODES, scoringNodes, "the three runs' entities spread over the three env nodes");
            }
        }
    }

    private static String read(LocalCluster cluster, String name) {
        try {
            return cluster.log(name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitMembersUp(ActorSystem<?> system, int members) throws InterruptedException {
        Cluster cluster = Cluster.get(system);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            var up = new ArrayList<org.apache.pekko.cluster.Member>();
            cluster.state().getMembers().forEach(m -> {
                if (m.status() == MemberStatus.up()) {
                    up.add(m);
                }
            });
            if (up.size() == members) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(200); // polling interval, not synchronisation: the loop ends on the condition
        }
        throw new AssertionError("the cluster never had " + members + " members up: " + cluster.state().getMembers());
    }
}

package dev.deepretrieval.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.environments.retrieval.RetrievalTask;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentActorTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @TempDir
    static Path cache;

    private static ExecutorService pool;
    private static Fixtures.Bm25 bm25;

    // SciFact test query 3 and its one relevant document
    private static final String CLAIM = "1,000 genomes project enables mapping of genetic sequence variation consisting"
            + " of rare variants with larger penetrance effects than common variants.";
    private static final RetrievalTask TASK = new RetrievalTask("3", CLAIM, Map.of("14717500", 1));
    private static final RetrievalTask THROWS = new RetrievalTask("throws", "x", Map.of("31715818", 1));
    private static final RetrievalTask HANGS = new RetrievalTask("hangs", "x", Map.of("31715818", 1));

    @BeforeAll
    static void open() {
        pool = Executors.newFixedThreadPool(2);
        bm25 = Fixtures.bm25(cache, pool);
    }

    @AfterAll
    static void close() throws Exception {
        testKit.shutdownTestKit();
        bm25.close();
        pool.shutdownNow();
    }

    private static Rollout rollout(int index, String query) {
        String completion = "Let me think step by step. \n<think>\nkey terms\n</think>\n<answer>{\"query\": \"" + query
                + "\"}</answer>";
        return new Rollout(1, index, "1", new int[] {1}, new int[] {2}, completion, 3, new float[] {-0.5f}, null);
    }

    private static ActorRef<EnvironmentActor.Command<RetrievalTask>> spawn(int maxInFlight, int maxWaiting, Duration timeout) {
        return testKit.spawn(EnvironmentActor.create(
                Fixtures.faulty(bm25.environment(), Set.of("throws"), Set.of("hangs")), maxInFlight, maxWaiting, timeout));
    }

    @Test
    void scoresARolloutWithTheRealEnvironmentsReward() {
        var actor = spawn(2, 8, Duration.ofSeconds(10));
        TestProbe<EnvironmentActor.ScoreOutcome> probe = testKit.createTestProbe();
        Rollout r = rollout(0, CLAIM);
        actor.tell(new EnvironmentActor.Score<>(r, TASK, probe.getRef()));
        var scored = probe.expectMessageClass(EnvironmentActor.Scored.class);
        EnvironmentResult direct = bm25.environment().scoreNow(TASK, r.completion());
        assertEquals(direct.reward(), scored.result().reward(), 1e-12);
        assertEquals(direct.metrics(), scored.result().metrics());
        assertTrue(scored.result().reward() > 0.1, "the original claim finds its document: " + scored.result());
        assertEquals(r, scored.rollout());
    }

    @Test
    void aThrowingEnvironmentIsAnExplicitFailureNotAReward() {
        var actor = spawn(2, 8, Duration.ofSeconds(10));
        TestProbe<EnvironmentActor.ScoreOutcome> probe = testKit.createTestProbe();
        actor.tell(new EnvironmentActor.Score<>(rollout(0, "q"), THROWS, probe.getRef()));
        var failed = probe.expectMessageClass(EnvironmentActor.ScoreFailed.class);
        assertFalse(failed.timedOut());
        assertEquals("IllegalStateException: injected failure for throws", failed.reason());
    }

    @Test
    void aHangingCallTimesOutAndTheNextWaitingRequestRuns() {
        var actor = spawn(1, 1, Duration.ofMillis(300));
        TestProbe<EnvironmentActor.ScoreOutcome> probe = testKit.createTestProbe();
        actor.tell(new EnvironmentActor.Score<>(rollout(0, "q"), HANGS, probe.getRef()));
        actor.tell(new EnvironmentActor.Score<>(rollout(1, "genomes rare variants"), TASK, probe.getRef()));
        actor.tell(new EnvironmentActor.Score<>(rollout(2, "q"), TASK, probe.getRef()));
        // the third finds one call in flight and one waiting: refused at once
        var refused = probe.expectMessageClass(EnvironmentActor.ScoreFailed.class);
        assertEquals(2, refused.rollout().index());
        assertTrue(refused.reason().contains("overloaded"), refused.reason());
        var timedOut = probe.expectMessageClass(EnvironmentActor.ScoreFailed.class, Duration.ofSeconds(5));
        assertEquals(0, timedOut.rollout().index());
        assertTrue(timedOut.timedOut());
        assertEquals("timed out after 300 ms", timedOut.reason());
        var scored = probe.expectMessageClass(EnvironmentActor.Scored.class);
        assertEquals(1, scored.rollout().index());
    }

    @Test
    void counterfactualsAreScoredWithTheRolloutAndEachOnlyOncePerPrompt() {
        var calls = new java.util.concurrent.ConcurrentHashMap<String, Integer>();
        dev.deepretrieval.environments.Environment<RetrievalTask> counting = new dev.deepretrieval.environments.Environment<>() {
            @Override
            public String name() {
                return "counting-bm25";
            }

            @Override
            public java.util.concurrent.CompletionStage<EnvironmentResult> score(RetrievalTask task, String completion) {
                calls.merge(completion, 1, Integer::sum);
                return bm25.environment().score(task, completion);
            }
        };
        var actor = testKit.spawn(EnvironmentActor.create(counting, 2, 8, Duration.ofSeconds(10)));
        TestProbe<EnvironmentActor.ScoreOutcome> probe = testKit.createTestProbe();
        String withoutRare = rollout(0, CLAIM.replace("rare ", "")).completion();
        String withoutGenomes = rollout(0, CLAIM.replace("genomes ", "")).completion();
        Rollout first = withCounterfactuals(rollout(0, CLAIM), withoutRare, withoutGenomes, withoutRare);
        actor.tell(new EnvironmentActor.Score<>(first, TASK, probe.getRef()));
        var scored = probe.expectMessageClass(EnvironmentActor.Scored.class);
        double rare = bm25.environment().scoreNow(TASK, withoutRare).reward();
        double genomes = bm25.environment().scoreNow(TASK, withoutGenomes).reward();
        assertEquals(3, scored.counterfactualRewards().length);
        assertEquals(rare, scored.counterfactualRewards()[0], 1e-12);
        assertEquals(genomes, scored.counterfactualRewards()[1], 1e-12);
        assertEquals(rare, scored.counterfactualRewards()[2], 1e-12);
        assertEquals(Map.of(first.completion(), 1, withoutRare, 1, withoutGenomes, 1), calls);
        // a second sample of the same prompt sharing a counterfactual: only its own completion is retrieved
        Rollout second = withCounterfactuals(rollout(1, CLAIM.replace("larger ", "")), withoutRare);
        actor.tell(new EnvironmentActor.Score<>(second, TASK, probe.getRef()));
        var again = probe.expectMessageClass(EnvironmentActor.Scored.class);
        assertEquals(rare, again.counterfactualRewards()[0], 1e-12);
        assertEquals(1, calls.get(second.completion()));
        assertEquals(1, calls.get(withoutRare));
        assertEquals(4, calls.size());
    }

    private static Rollout withCounterfactuals(Rollout r, String... completions) {
        var counterfactuals = new java.util.ArrayList<Rollout.Counterfactual>();
        for (int i = 0; i < completions.length; i++) {
            counterfactuals.add(new Rollout.Counterfactual(0, completions[i]));
        }
        return new Rollout(r.batchId(), r.index(), r.promptId(), r.promptTokens(), r.responseTokens(), r.completion(),
                r.policyVersion(), r.logProbs(), r.allowedTokens(), counterfactuals);
    }
}

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
}

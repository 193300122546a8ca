package dev.deepretrieval.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deepretrieval.actors.Credit;
import dev.deepretrieval.actors.Rollout;
import dev.deepretrieval.actors.RolloutPrompt;
import dev.deepretrieval.rewriter.Decoding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A run's collector between the work manager (a probe here) and the workers' replies: each rollout kept once by
 * (batch, index) whoever sent it, a chunk failed by its worker submitted again, a batch failed after the attempts.
 */
class ChunkCollectorTest {

    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final RolloutChunk.Generation GENERATION = new RolloutChunk.Generation(Path.of("model"), "cpu",
            "scifact", Decoding.EXTRACTIVE, Credit.OUTCOME, 6.0, 96, 32);
    private static final List<RolloutPrompt> PROMPTS = List.of(new RolloutPrompt("q1", "claim one", "prompt one"));

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void duplicatesOfAChunkHandedOutTwiceAreKeptOnce() {
        TestProbe<RolloutWorkManager.Command> manager = KIT.createTestProbe();
        var collector = KIT.spawn(ChunkCollector.create(manager.getRef(), Duration.ofMinutes(5), 3));
        TestProbe<ChunkCollector.Collected> asker = KIT.createTestProbe();
        // two chunks of one prompt x 2 samples: indices 0-1 and 2-3
        collector.tell(new ChunkCollector.Collect(4, List.of(chunk(4, 0, 0), chunk(4, 1, 2)), asker.getRef()));
        RolloutChunk first = submitted(manager);
        RolloutChunk second = submitted(manager);

        first.replyTo().tell(new RolloutChunk.Generated(4, 0, rollout(4, 0, 3)));
        // the first chunk's worker died after one rollout; another worker generates the whole chunk again
        first.replyTo().tell(new RolloutChunk.Generated(4, 0, rollout(4, 0, 3)));
        first.replyTo().tell(new RolloutChunk.Generated(4, 0, rollout(4, 1, 3)));
        first.replyTo().tell(new RolloutChunk.Done(4, 0, 2, 1.0, "worker-2"));
        second.replyTo().tell(new RolloutChunk.Generated(4, 1, rollout(4, 3, 4)));
        second.replyTo().tell(new RolloutChunk.Generated(4, 1, rollout(4, 2, 4)));

        var whole = (ChunkCollector.Whole) asker.receiveMessage();
        assertEquals(List.of(0, 1, 2, 3), whole.batch().rollouts().stream().map(Rollout::index).toList());
        assertEquals(3, whole.batch().policyVersion(), "the oldest version in the batch");
        assertEquals(0, whole.batch().retries());
        manager.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void aChunkItsWorkerCouldNotGenerateIsSubmittedAgainUpToTheAttempts() {
        TestProbe<RolloutWorkManager.Command> manager = KIT.createTestProbe();
        var collector = KIT.spawn(ChunkCollector.create(manager.getRef(), Duration.ofMinutes(5), 2));
        TestProbe<ChunkCollector.Collected> asker = KIT.createTestProbe();
        collector.tell(new ChunkCollector.Collect(5, List.of(chunk(5, 0, 0)), asker.getRef()));
        ActorRef<RolloutChunk.Reply> replies = submitted(manager).replyTo();
        replies.tell(new RolloutChunk.Failed(5, 0, "out of memory"));
        assertEquals(0, submitted(manager).chunk(), "submitted again");
        replies.tell(new RolloutChunk.Failed(5, 0, "out of memory again"));
        assertEquals(new ChunkCollector.Failed(5, "chunk 0 of batch 5 failed 2 times, last: out of memory again"),
                asker.receiveMessage());
    }

    @Test
    void aChunkNotBackInTimeIsSubmittedAgainAndCounted() {
        TestProbe<RolloutWorkManager.Command> manager = KIT.createTestProbe();
        var collector = KIT.spawn(ChunkCollector.create(manager.getRef(), Duration.ofSeconds(1), 3));
        TestProbe<ChunkCollector.Collected> asker = KIT.createTestProbe();
        collector.tell(new ChunkCollector.Collect(6, List.of(chunk(6, 0, 0)), asker.getRef()));
        submitted(manager);
        RolloutChunk again = submitted(manager); // the timeout fired
        again.replyTo().tell(new RolloutChunk.Generated(6, 0, rollout(6, 0, 5)));
        again.replyTo().tell(new RolloutChunk.Generated(6, 0, rollout(6, 1, 5)));
        var whole = (ChunkCollector.Whole) asker.receiveMessage();
        assertEquals(2, whole.batch().rollouts().size());
        assertEquals(1, whole.batch().retries(), "one chunk submitted again");
    }

    private static RolloutChunk submitted(TestProbe<RolloutWorkManager.Command> manager) {
        return ((RolloutWorkManager.Submit) manager.receiveMessage(Duration.ofSeconds(5))).chunk();
    }

    private static RolloutChunk chunk(long batch, int chunk, int firstIndex) {
        return new RolloutChunk("run-1", batch, chunk, firstIndex, PROMPTS, 2, batch * 31 + chunk, GENERATION,
                Optional.empty(), null);
    }

    private static Rollout rollout(long batch, int index, long version) {
        return new Rollout(batch, index, "q1", new int[] {1, 2}, new int[] {3}, "<answer>x</answer>", version,
                new float[] {-0.5f}, null);
    }
}

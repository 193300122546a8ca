package dev.deepretrieval.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deepretrieval.actors.Credit;
import dev.deepretrieval.actors.RolloutPrompt;
import dev.deepretrieval.rewriter.Decoding;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.delivery.ConsumerController;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The work manager with workers' consumer controllers on one node (the cluster tests put them on several): chunks go
 * to whoever asks, in order, a worker pulls again after each confirmation, and a chunk its worker never confirmed is
 * handed to another worker when the first one goes.
 */
class RolloutWorkManagerTest {

    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final RolloutChunk.Generation GENERATION = new RolloutChunk.Generation(Path.of("model"), "cpu",
            "scifact", Decoding.EXTRACTIVE, Credit.WORD, 6.0, 96, 32);

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void aWorkerPullsTheNextChunkAfterEachConfirmation() {
        TestProbe<RolloutChunk.Reply> replies = KIT.createTestProbe();
        var manager = KIT.spawn(RolloutWorkManager.create(10));
        TestProbe<ConsumerController.Delivery<RolloutChunk>> worker = KIT.createTestProbe();
        ActorRef<ConsumerController.Command<RolloutChunk>> controller = startWorker(worker);
        for (int batch = 1; batch <= 6; batch++) {
            manager.tell(new RolloutWorkManager.Submit(chunk(batch, replies)));
            ConsumerController.Delivery<RolloutChunk> delivery = worker.expectMessageClass(deliveryClass());
            assertEquals(batch, delivery.message().batchId(), "chunks in the order submitted");
            delivery.confirmTo().tell(ConsumerController.confirmed());
        }
        KIT.stop(controller);
        KIT.stop(manager);
    }

    @Test
    void aChunkItsWorkerNeverConfirmedGoesToAnotherWorker() {
        TestProbe<RolloutChunk.Reply> replies = KIT.createTestProbe();
        var manager = KIT.spawn(RolloutWorkManager.create(10));
        TestProbe<ConsumerController.Delivery<RolloutChunk>> first = KIT.createTestProbe();
        ActorRef<ConsumerController.Command<RolloutChunk>> firstController = startWorker(first);
        manager.tell(new RolloutWorkManager.Submit(chunk(1, replies)));
        assertEquals(1, first.expectMessageClass(deliveryClass()).message().batchId());

        TestProbe<ConsumerController.Delivery<RolloutChunk>> second = KIT.createTestProbe();
        ActorRef<ConsumerController.Command<RolloutChunk>> secondController = startWorker(second);
        KIT.stop(firstController); // the first worker goes without confirming chunk 1
        ConsumerController.Delivery<RolloutChunk> again = second.expectMessageClass(deliveryClass());
        assertEquals(1, again.message().batchId(), "the unconfirmed chunk handed out again");
        again.confirmTo().tell(ConsumerController.confirmed());
        manager.tell(new RolloutWorkManager.Submit(chunk(2, replies)));
        assertEquals(2, second.expectMessageClass(deliveryClass()).message().batchId());
        KIT.stop(secondController);
        KIT.stop(manager);
    }

    @Test
    void beyondTheQueueAChunkIsRefused() {
        TestProbe<RolloutChunk.Reply> replies = KIT.createTestProbe();
        var manager = KIT.spawn(RolloutWorkManager.create(2));
        for (int batch = 1; batch <= 3; batch++) {
            manager.tell(new RolloutWorkManager.Submit(chunk(batch, replies)));
        }
        assertEquals(new RolloutChunk.Failed(3, 0, "2 chunks already wait for a rollout worker"),
                replies.expectMessageClass(RolloutChunk.Failed.class));
        KIT.stop(manager);
    }

    private static ActorRef<ConsumerController.Command<RolloutChunk>> startWorker(
            TestProbe<ConsumerController.Delivery<RolloutChunk>> worker) {
        var controller = KIT.spawn(RolloutWorker.consumerController(KIT.system()));
        controller.tell(new ConsumerController.Start<>(worker.getRef()));
        return controller;
    }

    private static RolloutChunk chunk(long batch, TestProbe<RolloutChunk.Reply> replies) {
        return new RolloutChunk("run-1", batch, 0, 0, List.of(new RolloutPrompt("q1", "claim", "prompt")), 2, batch,
                GENERATION, Optional.empty(), replies.getRef());
    }

    @SuppressWarnings("unchecked")
    private static Class<ConsumerController.Delivery<RolloutChunk>> deliveryClass() {
        return (Class<ConsumerController.Delivery<RolloutChunk>>) (Class<?>) ConsumerController.Delivery.class;
    }
}

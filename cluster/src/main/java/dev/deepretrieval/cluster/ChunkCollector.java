package dev.deepretrieval.cluster;

import dev.deepretrieval.actors.Rollout;
import dev.deepretrieval.actors.RolloutBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Gathers one run's batches from the rollout workers: submits each batch's chunks to the {@link RolloutWorkManager}
 * and keeps every rollout that comes back once, by (batch, index), whichever worker or attempt sent it — a chunk
 * handed out again after its worker died may be generated twice, partly or whole, and its duplicates are dropped. A
 * chunk is whole when every one of its rollouts is here. A chunk that is not whole within the chunk timeout, or that a
 * worker could not generate, is submitted again, up to {@code attempts} times in all; then the batch fails with the
 * reason. The batch's reply is its rollouts in index order, each tagged with the version that made it.
 */
final class ChunkCollector extends AbstractBehavior<ChunkCollector.Command> {

    interface Command {}

    /** Generate {@code chunks} and answer with the whole batch (the chunks' replies are addressed here). */
    record Collect(long batchId, List<RolloutChunk> chunks, ActorRef<Collected> replyTo) implements Command {}

    /** The batch, or why it could not be made. */
    sealed interface Collected {}

    record Whole(RolloutBatch batch) implements Collected {}

    record Failed(long batchId, String reason) implements Collected {}

    /** Stop: the run has ended (batches still open are answered by their askers' timeouts). */
    record Stop() implements Command {}

    private record Replied(RolloutChunk.Reply reply) implements Command {}

    private record ChunkTimedOut(long batchId, int chunk, int attempt) implements Command {}

    private record TimerKey(long batchId, int chunk) {}

    /** One chunk of an open batch: its attempts so far and the indices it still lacks. */
    private static final class OpenChunk {
        final RolloutChunk chunk;
        int attempt = 1;
        int missing;

        OpenChunk(RolloutChunk chunk) {
            this.chunk = chunk;
            this.missing = chunk.size();
        }
    }

    private static final class OpenBatch {
        final long startNanos = System.nanoTime();
        final ActorRef<Collected> replyTo;
        final Map<Integer, OpenChunk> chunks = new HashMap<>();
        final TreeMap<Integer, Rollout> rollouts = new TreeMap<>();
        int retries;

        OpenBatch(ActorRef<Collected> replyTo) {
            this.replyTo = replyTo;
        }
    }

    private final ActorRef<RolloutWorkManager.Command> manager;
    private final Duration chunkTimeout;
    private final int attempts;
    private final TimerScheduler<Command> timers;
    private final ActorRef<RolloutChunk.Reply> replies;
    private final Map<Long, OpenBatch> open = new HashMap<>();

    private ChunkCollector(ActorContext<Command> context, TimerScheduler<Command> timers,
            ActorRef<RolloutWorkManager.Command> manager, Duration chunkTimeout, int attempts) {
        super(context);
        this.timers = timers;
        this.manager = manager;
        this.chunkTimeout = chunkTimeout;
        this.attempts = attempts;
        this.replies = context.messageAdapter(RolloutChunk.Reply.class, Replied::new);
    }

    static Behavior<Command> create(ActorRef<RolloutWorkManager.Command> manager, Duration chunkTimeout,
            int attempts) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new ChunkCollector(context, timers, manager,
                chunkTimeout, attempts)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Collect.class, this::onCollect)
                .onMessage(Replied.class, replied -> onReply(replied.reply()))
                .onMessage(ChunkTimedOut.class, this::onTimeout)
                .onMessage(Stop.class, stop -> Behaviors.stopped())
                .build();
    }

    private Behavior<Command> onCollect(Collect collect) {
        var batch = new OpenBatch(collect.replyTo());
        open.put(collect.batchId(), batch);
        for (RolloutChunk chunk : collect.chunks()) {
            var addressed = new OpenChunk(chunk.replyingTo(replies));
            batch.chunks.put(chunk.chunk(), addressed);
            submit(addressed);
        }
        return this;
    }

    private void submit(OpenChunk chunk) {
        manager.tell(new RolloutWorkManager.Submit(chunk.chunk));
        timers.startSingleTimer(new TimerKey(chunk.chunk.batchId(), chunk.chunk.chunk()),
                new ChunkTimedOut(chunk.chunk.batchId(), chunk.chunk.chunk(), chunk.attempt), chunkTimeout);
    }

    private Behavior<Command> onReply(RolloutChunk.Reply reply) {
        OpenBatch batch = open.get(reply.batchId());
        OpenChunk chunk = batch == null ? null : batch.chunks.get(reply.chunk());
        if (chunk == null || chunk.missing == 0) {
            return this; // a late or repeated reply for a chunk (or batch) already whole
        }
        switch (reply) {
            case RolloutChunk.Generated generated -> {
                if (batch.rollouts.putIfAbsent(generated.rollout().index(), generated.rollout()) == null) {
                    chunk.missing--;
                }
                if (chunk.missing == 0) {
                    timers.cancel(new TimerKey(reply.batchId(), reply.chunk()));
                    completeIfWhole(reply.batchId(), batch);
                }
            }
            case RolloutChunk.Failed failed -> retry(reply.batchId(), batch, chunk, failed.reason());
            default -> { } // Done: every rollout of the chunk was sent; wholeness is counted from the rollouts
        }
        return this;
    }

    private Behavior<Command> onTimeout(ChunkTimedOut timedOut) {
        OpenBatch batch = open.get(timedOut.batchId());
        OpenChunk chunk = batch == null ? null : batch.chunks.get(timedOut.chunk());
        if (chunk != null && chunk.missing > 0 && chunk.attempt == timedOut.attempt()) {
            retry(timedOut.batchId(), batch, chunk, "not back within " + chunkTimeout.toSeconds() + " s");
        }
        return this;
    }

    private void retry(long batchId, OpenBatch batch, OpenChunk chunk, String reason) {
        if (chunk.attempt >= attempts) {
            open.remove(batchId);
            batch.chunks.keySet().forEach(c -> timers.cancel(new TimerKey(batchId, c)));
            batch.replyTo.tell(new Failed(batchId, "chunk " + chunk.chunk.chunk() + " of batch " + batchId
                    + " failed " + attempts + " times, last: " + reason));
            return;
        }
        getContext().getLog().warn("batch {} chunk {}: {}; submitting it again (attempt {} of {})", batchId,
                chunk.chunk.chunk(), reason, chunk.attempt + 1, attempts);
        chunk.attempt++;
        batch.retries++;
        submit(chunk);
    }

    private void completeIfWhole(long batchId, OpenBatch batch) {
        if (batch.chunks.values().stream().anyMatch(c -> c.missing > 0)) {
            return;
        }
        open.remove(batchId);
        List<Rollout> rollouts = new ArrayList<>(batch.rollouts.values()); // in index order
        long oldest = rollouts.stream().mapToLong(Rollout::policyVersion).min().orElse(0);
        batch.replyTo.tell(new Whole(new RolloutBatch(batchId, oldest, rollouts,
                (System.nanoTime() - batch.startNanos) / 1e9, batch.retries)));
    }
}

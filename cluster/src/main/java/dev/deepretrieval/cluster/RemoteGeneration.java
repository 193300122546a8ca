package dev.deepretrieval.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.actors.RolloutBatch;
import dev.deepretrieval.actors.RolloutPolicies;
import dev.deepretrieval.actors.RolloutPrompt;
import dev.deepretrieval.actors.WeightsSnapshot;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.runs.RunRollouts;
import dev.deepretrieval.runs.WeightVersion;
import dev.deepretrieval.streams.RolloutGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * A run's rollouts from the cluster's rollout workers. Each batch is cut into chunks of {@code chunkPrompts} prompts
 * (their samples adjacent, their rollout indices as one batch's), each seeded from the batch's seed and its number,
 * and gathered by the run's {@link ChunkCollector}. Each update's weights are published as an immutable version: the
 * actor's weights written to {@code <run>/published-weights/step-N/} with a manifest recording their SHA-256 and
 * size (the newest few kept), and the version's (run, step, location, SHA-256, size) handed to the chunks that
 * follow; workers fetch the bytes themselves, over HTTP or from the shared store.
 */
final class RemoteGeneration implements RolloutGenerator {

    /** Published versions kept: enough for a worker still fetching the one before the newest. */
    static final int PUBLISHED_KEPT = 3;

    private final ActorSystem<?> system;
    private final RunRollouts.Target target;
    private final RolloutChunk.Generation generation;
    private final ActorRef<ChunkCollector.Command> collector;
    private final CheckpointStore published;
    private final Locations locations;
    private final Executor blocking;
    private final int chunkPrompts;
    private final Duration generateTimeout;
    private volatile Optional<WeightVersion> current;

    /** Where workers fetch the actor weights of a run's step (the learner's weights route, or the file itself). */
    interface Locations {
        URI of(String runId, long step, Checkpoint.FileDigest actor);
    }

    /**
     * @param locations where workers fetch a version's bytes
     * @param generateTimeout the longest a whole batch may take, every chunk's attempts included
     */
    RemoteGeneration(ActorSystem<?> system, RunRollouts.Target target, ActorRef<ChunkCollector.Command> collector,
            Locations locations, Executor blocking, int chunkPrompts,
            Duration generateTimeout) throws IOException {
        this.system = system;
        this.target = target;
        this.generation = new RolloutChunk.Generation(target.model().toAbsolutePath().normalize(), target.device(),
                target.template(), target.decoding(), target.credit(), target.temperature(), target.maxTokens(),
                target.generationBatch());
        this.collector = collector;
        this.published = new CheckpointStore(target.folder().resolve(RunRollouts.PUBLISHED_FOLDER), PUBLISHED_KEPT);
        this.locations = locations;
        this.blocking = blocking;
        this.chunkPrompts = chunkPrompts;
        this.generateTimeout = generateTimeout;
        this.current = Optional.empty();
        if (target.firstStep() > 0) { // resumed: the checkpoint it resumes from holds that version's weights
            this.current = Optional.of(version(target.firstStep(), new CheckpointStore(target.checkpoints(), 1)));
        }
    }

    @Override
    public CompletionStage<RolloutBatch> generate(long batchId, List<RolloutPrompt> prompts, int samplesPerPrompt,
            long seed) {
        Optional<WeightVersion> weights = current;
        var chunks = new ArrayList<RolloutChunk>();
        for (int from = 0, chunk = 0; from < prompts.size(); from += chunkPrompts, chunk++) {
            List<RolloutPrompt> part = prompts.subList(from, Math.min(prompts.size(), from + chunkPrompts));
            chunks.add(new RolloutChunk(target.runId(), batchId, chunk, from * samplesPerPrompt, part, samplesPerPrompt,
                    seed * 31 + chunk, generation, weights, null));
        }
        return AskPattern.<ChunkCollector.Command, ChunkCollector.Collected>ask(collector,
                        replyTo -> new ChunkCollector.Collect(batchId, chunks, replyTo), generateTimeout,
                        system.scheduler())
                .thenCompose(collected -> switch (collected) {
                    case ChunkCollector.Whole whole -> CompletableFuture.completedFuture(whole.batch());
                    case ChunkCollector.Failed failed -> CompletableFuture.<RolloutBatch>failedFuture(
                            new IllegalStateException("generating batch " + batchId + " on the rollout nodes: "
                                    + failed.reason()));
                });
    }

    @Override
    public CompletionStage<Double> publish(WeightsSnapshot weights) {
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                ObjectNode state = JsonMapping.mapper().createObjectNode().put("run_id", target.runId());
                published.writeTensors(weights.version(), Map.of(RolloutPolicies.ACTOR_GROUP, weights.toTensors()),
                        state);
                // the manifest just written records the hash; workers check the bytes against it
                current = Optional.of(version(weights.version(), published));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot publish the weights of step " + weights.version(), e);
            }
            return (System.nanoTime() - start) / 1e9;
        }, blocking);
    }

    /** The version of step {@code step} as {@code store}'s manifest records its actor weights. */
    private WeightVersion version(long step, CheckpointStore store) throws IOException {
        Checkpoint.FileDigest actor = store.recorded(step, RolloutPolicies.ACTOR_GROUP).orElseThrow(() ->
                new IOException("no complete weights of step " + step + " of run " + target.runId()));
        return WeightVersion.of(target.runId(), step, actor, locations.of(target.runId(), step, actor));
    }

    @Override
    public void close() {
        collector.tell(new ChunkCollector.Stop());
    }
}

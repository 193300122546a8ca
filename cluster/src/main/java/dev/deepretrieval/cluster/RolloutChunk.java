package dev.deepretrieval.cluster;

import dev.deepretrieval.actors.ClusterMessage;
import dev.deepretrieval.actors.Credit;
import dev.deepretrieval.actors.Rollout;
import dev.deepretrieval.actors.RolloutPrompt;
import dev.deepretrieval.rewriter.Decoding;
import dev.deepretrieval.runs.WeightVersion;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One part of a run's rollout batch: the unit of work rollout workers pull. It carries what generating it needs (the
 * prompts, the seed, how the run generates and the weights' version, never the weights themselves); the worker sends
 * each rollout back as it is made, then {@link Done}.
 *
 * @param chunk the part's number within its batch
 * @param firstIndex the batch index of the part's first rollout (its rollouts are indexed on from there)
 * @param weights the version to generate with; empty for version 0, the starting model's own weights
 */
public record RolloutChunk(String runId, long batchId, int chunk, int firstIndex, List<RolloutPrompt> prompts,
        int samplesPerPrompt, long seed, Generation generation, Optional<WeightVersion> weights,
        ActorRef<Reply> replyTo) implements ClusterMessage {

    public RolloutChunk {
        prompts = List.copyOf(prompts);
    }

    /**
     * How a run generates, as its own policy actor would: the starting model on a device, rewriting under a bundled
     * template with a decoding, crediting words or outcomes, sampling at a temperature up to a length, so many
     * sequences together.
     */
    public record Generation(Path model, String device, String template, Decoding decoding, Credit credit,
            double temperature, int maxTokens, int generationBatch) {}

    /** The same chunk with its replies sent to {@code replies}. */
    public RolloutChunk replyingTo(ActorRef<Reply> replies) {
        return new RolloutChunk(runId, batchId, chunk, firstIndex, prompts, samplesPerPrompt, seed, generation, weights,
                replies);
    }

    /** The rollouts the chunk makes. */
    public int size() {
        return prompts.size() * samplesPerPrompt;
    }

    /** The version the chunk is generated with (0: the starting model). */
    public long version() {
        return weights.map(WeightVersion::version).orElse(0L);
    }

    /** What a worker sends back about a chunk. */
    public interface Reply extends ClusterMessage {
        long batchId();

        int chunk();
    }

    /** One rollout of the chunk. */
    public record Generated(long batchId, int chunk, Rollout rollout) implements Reply {}

    /** Every rollout of the chunk was sent, by {@code worker} in {@code seconds}. */
    public record Done(long batchId, int chunk, int rollouts, double seconds, String worker) implements Reply {}

    /** The chunk could not be generated (its model or weights would not load, generation threw). */
    public record Failed(long batchId, int chunk, String reason) implements Reply {}
}

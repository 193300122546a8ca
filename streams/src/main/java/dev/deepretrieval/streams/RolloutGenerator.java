package dev.deepretrieval.streams;

import dev.deepretrieval.actors.RolloutBatch;
import dev.deepretrieval.actors.RolloutPrompt;
import dev.deepretrieval.actors.WeightsSnapshot;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where a run's rollouts are generated: the run's own policy actor ({@link PolicyActorGeneration}), or a cluster's
 * rollout workers, which fetch each published version's weights themselves.
 */
public interface RolloutGenerator extends AutoCloseable {

    /**
     * One batch's rollouts, {@code samplesPerPrompt} of each prompt (samples of one prompt adjacent), seeded by
     * {@code seed}; every rollout tagged with the weights' version that produced it. Fails (after whatever retries the
     * generator makes) when the batch cannot be generated; the run then fails with the reason.
     */
    CompletionStage<RolloutBatch> generate(long batchId, List<RolloutPrompt> prompts, int samplesPerPrompt, long seed);

    /**
     * Makes batches asked for after completion come from {@code weights}; completes with the seconds it took (swapping
     * them into the policy actor, or writing the version where workers fetch it).
     */
    CompletionStage<Double> publish(WeightsSnapshot weights);

    /** Releases what the generator holds for its run (not the policy actor, which its supervisor stops). */
    @Override
    default void close() {}
}

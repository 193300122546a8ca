package dev.deepretrieval.actors;

import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.checkpoint.WeightAverage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Loads the policy a run currently stands at: the starting model with its newest checkpoint's actor weights. */
public final class RolloutPolicies {

    /** The checkpoint group holding the policy's weights (written by the learner's checkpoints). */
    public static final String ACTOR_GROUP = "actor";

    private RolloutPolicies() {}

    public static Policy load(Path model, Path checkpointFolder, String device) {
        return loadAt(model, checkpointFolder, OptionalLong.empty(), device).policy();
    }

    /** A policy and the checkpoint step its weights come from (empty: the starting model's own). */
    public record Loaded(Policy policy, OptionalLong step) {}

    /**
     * The starting model with the actor weights of checkpoint {@code step}, or of the newest valid checkpoint when
     * {@code step} is empty (the model as it is when there is none).
     *
     * @throws IllegalArgumentException when the pinned step has no valid checkpoint
     */
    public static Loaded loadAt(Path model, Path checkpointFolder, OptionalLong step, String device) {
        Optional<Checkpoint> checkpoint;
        try {
            var store = new CheckpointStore(checkpointFolder, 1);
            checkpoint = step.isPresent() ? store.validAt(step.getAsLong()) : store.latestValid();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read checkpoints in " + checkpointFolder + ": " + e.getMessage(), e);
        }
        if (step.isPresent() && checkpoint.isEmpty()) {
            throw new IllegalArgumentException("no valid checkpoint of step " + step.getAsLong() + " in " + checkpointFolder);
        }
        Policy policy = PolicyLoader.load(model, Optional.empty(), PolicyLoader.device(device));
        try {
            checkpoint.ifPresent(c -> c.restore(ACTOR_GROUP, policy.weights().parameters()));
            return new Loaded(policy, checkpoint.map(c -> OptionalLong.of(c.step())).orElse(OptionalLong.empty()));
        } catch (RuntimeException e) {
            policy.close();
            throw new IllegalStateException("cannot restore the policy from " + checkpointFolder + ": " + e.getMessage(), e);
        }
    }

    /**
     * The actor weights averaged over the newest {@code count} valid checkpoints at or before {@code step}, which must
     * itself be kept (latest weight averaging; fewer when fewer are kept). Reads the files now, so the caller may
     * build the policy later.
     *
     * @throws IllegalArgumentException when {@code step} has no valid checkpoint
     */
    public static WeightAverage averageUpTo(Path checkpointFolder, long step, int count) {
        try {
            List<Checkpoint> newest = new CheckpointStore(checkpointFolder, 1).validUpTo(step, count);
            if (newest.isEmpty() || newest.get(0).step() != step) {
                throw new IllegalArgumentException("no valid checkpoint of step " + step + " in " + checkpointFolder);
            }
            return WeightAverage.of(newest, ACTOR_GROUP);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read checkpoints in " + checkpointFolder + ": " + e.getMessage(), e);
        }
    }

    /** The starting model with averaged actor weights. */
    public static Policy load(Path model, WeightAverage average, String device) {
        Policy policy = PolicyLoader.load(model, Optional.empty(), PolicyLoader.device(device));
        try {
            average.restore(policy.weights().parameters());
            return policy;
        } catch (RuntimeException e) {
            policy.close();
            throw new IllegalStateException("cannot set the policy to the checkpoints " + average.steps() + ": "
                    + e.getMessage(), e);
        }
    }
}

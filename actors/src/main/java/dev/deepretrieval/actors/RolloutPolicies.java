package dev.deepretrieval.actors;

import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Loads the policy a run currently stands at: the starting model with its newest checkpoint's actor weights. */
public final class RolloutPolicies {

    /** The checkpoint group holding the policy's weights (written by the learner's checkpoints). */
    public static final String ACTOR_GROUP = "actor";

    private RolloutPolicies() {}

    public static Policy load(Path model, Path checkpointFolder, String device) {
        Policy policy = PolicyLoader.load(model, Optional.empty(), PolicyLoader.device(device));
        try {
            Optional<Checkpoint> latest = new CheckpointStore(checkpointFolder, 1).latestValid();
            latest.ifPresent(c -> c.restore(ACTOR_GROUP, policy.weights().parameters()));
            return policy;
        } catch (IOException | RuntimeException e) {
            policy.close();
            throw new IllegalStateException("cannot restore the policy from " + checkpointFolder + ": " + e.getMessage(), e);
        }
    }
}

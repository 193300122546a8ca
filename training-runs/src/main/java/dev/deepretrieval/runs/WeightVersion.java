package dev.deepretrieval.runs;

import dev.deepretrieval.actors.RolloutPolicies;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import java.io.IOException;
import java.net.URI;
import java.util.function.LongFunction;

/**
 * A policy's weights at one version, as a learner publishes them for rollout workers: the version (the step whose
 * checkpoint holds them), where the bytes are (an {@code http(s)} URL or a {@code file} in a shared checkpoint store),
 * their SHA-256 and their size. A version's bytes never change, so a worker that has them keeps them and a copy that
 * does not match its hash is not that version. Small enough for one cluster message; the bytes never travel as one.
 *
 * @param sha256 lower-case hex
 */
public record WeightVersion(String runId, long version, URI location, String sha256, long size) {

    /** The actor's weights file of a checkpoint: what a rollout worker needs to generate with that version. */
    public static final String ACTOR_FILE = CheckpointStore.groupFile(RolloutPolicies.ACTOR_GROUP);

    public WeightVersion {
        if (!RunFolders.isRunId(runId)) {
            throw new IllegalArgumentException("a run id is letters, digits, '.', '_' and '-', not '" + runId + "'");
        }
        if (version < 0 || size < 0 || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a weight version needs a step >= 0, a size >= 0 and a SHA-256 in hex,"
                    + " got " + version + ", " + size + ", " + sha256);
        }
        String scheme = location.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) && !"file".equals(scheme)) {
            throw new IllegalArgumentException("weights are fetched over http(s) or from a file, not " + location);
        }
    }

    /**
     * The version a verified checkpoint holds, its actor's weights at {@code location.apply(step)} (the learner's
     * weights route, or the checkpoint's file itself in a shared store).
     */
    public static WeightVersion of(String runId, Checkpoint checkpoint, LongFunction<URI> location) throws IOException {
        Checkpoint.FileDigest actor = checkpoint.digest(RolloutPolicies.ACTOR_GROUP).orElseThrow(() -> new IOException(
                "checkpoint " + checkpoint.directory() + " records no " + ACTOR_FILE));
        return of(runId, checkpoint.step(), actor, location.apply(checkpoint.step()));
    }

    /** The version of step {@code step}, whose actor weights a manifest records as {@code actor}, at {@code location}. */
    public static WeightVersion of(String runId, long step, Checkpoint.FileDigest actor, URI location) {
        return new WeightVersion(runId, step, location, actor.sha256(), actor.size());
    }
}

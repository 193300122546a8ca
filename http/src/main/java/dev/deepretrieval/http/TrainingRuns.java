package dev.deepretrieval.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.runs.WeightVersion;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/** Training runs as the HTTP API sees them: start from a JSON config, list, inspect, stop, follow. */
public interface TrainingRuns {

    /** A run's summary: {@code {"id", "state", "config", "step", "total_steps", "last": {...}?}}. */
    ObjectNode describe(String id);

    /** Starts a run from a request body; an {@link InvalidRequest} names a bad field. Returns the run's description. */
    ObjectNode start(JsonNode request);

    /** Every known run's description, newest first. */
    List<ObjectNode> list();

    /** Whether a run of this id is known. */
    boolean exists(String id);

    /** Asks a run to stop gracefully (it checkpoints first); false when it is not running. */
    boolean stop(String id);

    /** Asks a running run to draw no further batch until resumed; false when it is not running. */
    boolean pause(String id);

    /**
     * Resumes a paused run, or continues a stopped one from its checkpoint in its folder; false when it is neither
     * (running, completed, failed, or another run would exceed the active limit).
     */
    boolean resume(String id);

    /** Every step's metrics line so far. */
    List<ObjectNode> metrics(String id);

    /**
     * The run's steps as they happen, preceded by those so far, ending with {@code {"type": "ended", "state"}}. A
     * client that falls far behind is let go (the stream completes) rather than buffered without bound.
     */
    Optional<Source<ObjectNode, NotUsed>> events(String id);

    /**
     * The actor's weights of run {@code id} at step {@code step} (a {@link WeightVersion}'s bytes), as its checkpoint's
     * manifest records them; empty when the run has no checkpoint of that step (never written, or pruned).
     */
    Optional<Checkpoint.FileDigest> weights(String id, long step);
}

package dev.deepretrieval.actors;

import dev.deepretrieval.policy.rl.TrainerCheckpoints;
import java.util.Map;

/**
 * What the {@link LearnerActor} updates through: the policy being trained with its optimizers and checkpoints
 * ({@link Learner}). An update either completes or throws; the actor then restarts it from {@link #hold held} state.
 */
public interface Updater extends AutoCloseable {

    /** One update from the scored rollouts; {@link #updates()} is then the new policy version. */
    Map<String, Double> learn(ScoredBatch batch);

    /** The updates applied so far: the policy version. */
    long updates();

    /** The current policy weights, copied out. */
    WeightsSnapshot snapshot();

    /** Writes a checkpoint of {@code step} with the caller's state (data cursor, config). */
    void save(long step, Map<String, Object> state);

    /** Restores the newest valid checkpoint, if any; returns the update count reached. */
    long restoreLatest();

    /** Everything an update changes, copied to the heap. */
    TrainerCheckpoints.Held hold();

    /** Puts a {@link #hold} copy back. */
    void restore(TrainerCheckpoints.Held held);

    @Override
    void close();
}

package dev.deepretrieval.actors;

import dev.deepretrieval.policy.rl.TrainerCheckpoints;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Applies PPO/GRPO updates: owns the {@link Updater} (policy, critic, reference, optimizers), publishes the new
 * weights with each update, and checkpoints when the request says so (and on request). Updates block, so spawn it
 * on a blocking dispatcher.
 *
 * <p>An update that throws is answered with {@link LearnFailed} and the actor fails; restarted, it continues from
 * the state after the last update that completed (held in memory, or the newest checkpoint when no update completed
 * in this process), so the failed update can be redone on top of exactly what it started from, and the policy
 * version goes on without a gap. The first update after a restart says so in its metrics.
 */
public final class LearnerActor extends AbstractBehavior<LearnerActor.Command> {

    public sealed interface Command {}

    /**
     * Update from a scored batch, then checkpoint when {@code checkpoint} is set; {@code state} is saved with the
     * checkpoint (data cursor, run config).
     */
    public record Learn(ScoredBatch batch, Map<String, Object> state, boolean checkpoint,
            ActorRef<LearnOutcome> replyTo) implements Command {}

    /** The reply to {@link Learn}. */
    public sealed interface LearnOutcome permits Learned, LearnFailed {}

    /**
     * @param version the policy version after the update (unchanged when the batch had nothing to learn from)
     * @param weights the new weights for the policy actor
     */
    public record Learned(long batchId, long version, Map<String, Double> metrics, WeightsSnapshot weights,
            boolean checkpointed) implements LearnOutcome {}

    /** The update of a batch threw; nothing of it was kept (the actor restarts from before it). */
    public record LearnFailed(long batchId, String reason) implements LearnOutcome {}

    /** Write a checkpoint now (graceful stop), with the newest update's state over {@code state}. */
    public record SaveCheckpoint(Map<String, Object> state, ActorRef<Saved> replyTo) implements Command {}

    public record Saved(long version) {}

    /** Where a (re)started learner's state came from, for the metrics of its first update. */
    private record Restored(long version, boolean fromMemory) {}

    private final Updater learner;
    private final AtomicReference<TrainerCheckpoints.Held> held;
    private Restored restored; // set after a restart until the next update reports it
    /** The state saved with the newest update (data cursor, step), so a stop checkpoint resumes from there. */
    private Map<String, Object> lastState = Map.of();

    private LearnerActor(ActorContext<Command> context, Updater learner,
            AtomicReference<TrainerCheckpoints.Held> held, Restored restored) {
        super(context);
        this.learner = learner;
        this.held = held;
        this.restored = restored;
    }

    /**
     * @param factory builds the learner; the first one restores the newest checkpoint, one built after a restart the
     *     state held after the last completed update (the checkpoint when there was none)
     */
    public static Behavior<Command> create(Supplier<? extends Updater> factory) {
        var held = new AtomicReference<TrainerCheckpoints.Held>(); // outlives restarts of the behaviour below
        var started = new boolean[1];
        return Behaviors.setup(context -> {
            Updater learner = factory.get();
            Restored restored = null;
            try {
                TrainerCheckpoints.Held last = held.get();
                if (last != null) {
                    learner.restore(last);
                    restored = new Restored(last.updates(), true);
                } else {
                    long version = learner.restoreLatest();
                    restored = started[0] ? new Restored(version, false) : null;
                }
            } catch (RuntimeException e) {
                learner.close();
                throw e;
            }
            started[0] = true;
            return new LearnerActor(context, learner, held, restored);
        });
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Learn.class, this::onLearn)
                .onMessage(SaveCheckpoint.class, this::onSave)
                .onSignal(PreRestart.class, signal -> close())
                .onSignal(PostStop.class, signal -> close())
                .build();
    }

    private Behavior<Command> close() {
        learner.close();
        return this;
    }

    private Behavior<Command> onLearn(Learn request) {
        try {
            return learn(request);
        } catch (RuntimeException e) {
            // said before the restart, so the asker can redo the update rather than wait for its timeout
            request.replyTo().tell(new LearnFailed(request.batch().batchId(),
                    e.getClass().getSimpleName() + ": " + e.getMessage()));
            throw e;
        }
    }

    private Behavior<Command> learn(Learn request) {
        ScoredBatch batch = request.batch();
        var metrics = new LinkedHashMap<String, Double>();
        if (!batch.rollouts().isEmpty()) {
            metrics.putAll(learner.learn(batch));
        }
        long version = learner.updates();
        boolean checkpoint = request.checkpoint();
        long start = System.nanoTime();
        if (checkpoint) {
            learner.save(version, request.state());
        }
        metrics.put("timing_s/checkpoint", (System.nanoTime() - start) / 1e9);
        if (!batch.rollouts().isEmpty()) {
            start = System.nanoTime();
            held.set(learner.hold()); // only once the update and its checkpoint have completed
            metrics.put("timing_s/hold", (System.nanoTime() - start) / 1e9);
        }
        if (restored != null) {
            // this update ran on a restarted learner: from which version, and whether held in memory or read back
            metrics.put("learner/restarted", 1.0);
            metrics.put("learner/restored_version", (double) restored.version());
            metrics.put("learner/restored_from_checkpoint", restored.fromMemory() ? 0.0 : 1.0);
            restored = null;
        }
        lastState = request.state();
        request.replyTo().tell(new Learned(batch.batchId(), version, metrics, learner.snapshot(), checkpoint));
        return this;
    }

    private Behavior<Command> onSave(SaveCheckpoint request) {
        var state = new LinkedHashMap<String, Object>(request.state());
        state.putAll(lastState);
        learner.save(learner.updates(), state);
        request.replyTo().tell(new Saved(learner.updates()));
        return this;
    }
}

package dev.deepretrieval.actors;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Applies PPO/GRPO updates: owns the {@link Learner} (policy, critic, reference, optimizers), publishes the new
 * weights with each update, and checkpoints when the request says so (and on request). Updates block,
 * so spawn it on a blocking dispatcher.
 */
public final class LearnerActor extends AbstractBehavior<LearnerActor.Command> {

    public sealed interface Command {}

    /**
     * Update from a scored batch, then checkpoint when {@code checkpoint} is set; {@code state} is saved with the
     * checkpoint (data cursor, run config).
     */
    public record Learn(ScoredBatch batch, Map<String, Object> state, boolean checkpoint, ActorRef<Learned> replyTo)
            implements Command {}

    /**
     * @param version the policy version after the update (unchanged when the batch had nothing to learn from)
     * @param weights the new weights for the policy actor
     */
    public record Learned(long batchId, long version, Map<String, Double> metrics, WeightsSnapshot weights,
            boolean checkpointed) {}

    /** Write a checkpoint now (graceful stop), with the newest update's state over {@code state}. */
    public record SaveCheckpoint(Map<String, Object> state, ActorRef<Saved> replyTo) implements Command {}

    public record Saved(long version) {}

    private final Learner learner;
    /** The state saved with the newest update (data cursor, step), so a stop checkpoint resumes from there. */
    private Map<String, Object> lastState = Map.of();

    private LearnerActor(ActorContext<Command> context, Learner learner) {
        super(context);
        this.learner = learner;
    }

    /** @param factory builds the learner and restores its newest checkpoint (again after a restart) */
    public static Behavior<Command> create(Supplier<Learner> factory) {
        return Behaviors.setup(context -> {
            Learner learner = factory.get();
            learner.restoreLatest();
            return new LearnerActor(context, learner);
        });
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Learn.class, this::onLearn)
                .onMessage(SaveCheckpoint.class, this::onSave)
                .onSignal(PostStop.class, signal -> {
                    learner.close();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onLearn(Learn request) {
        ScoredBatch batch = request.batch();
        lastState = request.state();
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

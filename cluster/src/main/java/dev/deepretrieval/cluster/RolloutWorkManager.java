package dev.deepretrieval.cluster;

import dev.deepretrieval.actors.ClusterMessage;
import java.util.ArrayDeque;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.delivery.WorkPullingProducerController;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Hands rollout work to the workers that ask for it: a cluster singleton on the learner nodes (as the
 * distributed-workers sample's work manager), over Pekko's work-pulling producer controller. Each worker holds at
 * most three chunks (the one it generates and the next two); a chunk a worker took and did not confirm (its node died or left) is handed to another worker by
 * the controller. Chunks wait here, in order, while no worker asks; beyond {@code maxQueued} a chunk is refused with
 * {@link RolloutChunk.Failed}. Runs bound what they submit by their own permits, so the queue holds at most the
 * chunks of the batches in flight.
 */
public final class RolloutWorkManager extends AbstractBehavior<RolloutWorkManager.Command> {

    public interface Command extends ClusterMessage {}

    /** Hand {@code chunk} to the next worker that asks. */
    public record Submit(RolloutChunk chunk) implements Command {}

    private record WorkerAsks(WorkPullingProducerController.RequestNext<RolloutChunk> next) implements Command {}

    private final int maxQueued;
    private final ArrayDeque<RolloutChunk> waiting = new ArrayDeque<>();
    private WorkPullingProducerController.RequestNext<RolloutChunk> demand;

    private RolloutWorkManager(ActorContext<Command> context, int maxQueued) {
        super(context);
        this.maxQueued = maxQueued;
        ActorRef<WorkPullingProducerController.Command<RolloutChunk>> producer = context.spawn(
                WorkPullingProducerController.create(RolloutChunk.class, "rollout-work", RolloutWorker.KEY,
                        Optional.empty()), "producer-controller");
        producer.tell(new WorkPullingProducerController.Start<>(context.messageAdapter(
                WorkPullingProducerController.requestNextClass(), WorkerAsks::new)));
    }

    /**
     * Starts the singleton (on the learner nodes) and returns its proxy, through which this node's runs submit work.
     */
    public static ActorRef<Command> initSingleton(ActorSystem<?> system, int maxQueued) {
        return ClusterSingleton.get(system).init(SingletonActor.of(create(maxQueued), "rollout-work")
                .withSettings(ClusterSingletonSettings.create(system).withRole(NodeRole.LEARNER.label())));
    }

    static Behavior<Command> create(int maxQueued) {
        return Behaviors.setup(context -> new RolloutWorkManager(context, maxQueued));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(WorkerAsks.class, this::onAsk)
                .build();
    }

    private Behavior<Command> onSubmit(Submit submit) {
        RolloutChunk chunk = submit.chunk();
        if (demand != null) {
            demand.sendNextTo().tell(chunk);
            demand = null;
        } else if (waiting.size() >= maxQueued) {
            chunk.replyTo().tell(new RolloutChunk.Failed(chunk.batchId(), chunk.chunk(), maxQueued
                    + " chunks already wait for a rollout worker"));
        } else {
            waiting.add(chunk);
        }
        return this;
    }

    private Behavior<Command> onAsk(WorkerAsks asked) {
        if (waiting.isEmpty()) {
            demand = asked.next();
        } else {
            asked.next().sendNextTo().tell(waiting.poll());
        }
        return this;
    }
}

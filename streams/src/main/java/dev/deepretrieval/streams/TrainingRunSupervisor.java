package dev.deepretrieval.streams;

import dev.deepretrieval.actors.EnvironmentActor;
import dev.deepretrieval.actors.RolloutScorer;
import dev.deepretrieval.actors.LearnerActor;
import dev.deepretrieval.actors.PolicyActor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.Materializer;

/**
 * One training run: spawns the policy, environment and learner actors (each restarted with backoff when it fails,
 * as declared at the spawn; the policy and environment actors only when the run does not generate or score
 * elsewhere), runs the {@link TrainingGraph} between them, and owns the run's lifecycle (start,
 * pause, resume, graceful stop with a checkpoint) and its recent metrics. It lives in {@code streams} because it
 * materialises the graph; the actors it supervises know nothing of it.
 */
public final class TrainingRunSupervisor<T> extends AbstractBehavior<TrainingRunSupervisor.Command> {

    public sealed interface Command {}

    public record Start() implements Command {}

    public record Pause() implements Command {}

    public record Resume() implements Command {}

    /** Finish the batches in flight, write a checkpoint, then end the run. */
    public record Stop() implements Command {}

    /** Receive every step report and the run's end. */
    public record Subscribe(ActorRef<RunEvent> subscriber) implements Command {}

    public record GetStatus(ActorRef<Status> replyTo) implements Command {}

    private record StepDone(StepReport report) implements Command {}

    private record GraphEnded(Throwable failure) implements Command {}

    private record Drained() implements Command {}

    private record CheckpointSaved(Throwable failure) implements Command {}

    /** What subscribers hear. */
    public sealed interface RunEvent {}

    public record Step(StepReport report) implements RunEvent {}

    /** @param failure why the run failed, or null when it completed or was stopped */
    public record Ended(State state, long lastStep, String failure) implements RunEvent {}

    public enum State { CREATED, RUNNING, PAUSED, STOPPING, COMPLETED, STOPPED, FAILED }

    public record Status(State state, long lastStep, List<StepReport> recent) {}

    private static final int RECENT = 50;

    private final TrainingRunSpec<T> spec;
    private final RolloutGenerator generator;
    private final RolloutScorer<T> scorer;
    private final ActorRef<LearnerActor.Command> learner;
    private final List<ActorRef<RunEvent>> subscribers = new ArrayList<>();
    private final List<StepReport> recent = new ArrayList<>();
    private State state = State.CREATED;
    private long lastStep;
    private TrainingGraph.Running running;
    private boolean graphEnded;
    private boolean stopCheckpointWritten;

    private TrainingRunSupervisor(ActorContext<Command> context, TrainingRunSpec<T> spec) {
        super(context);
        this.spec = spec;
        this.lastStep = spec.firstStep();
        Duration backoff = spec.restartBackoff();
        DispatcherSelector blocking = DispatcherSelector.fromConfig("deepretrieval.blocking-dispatcher");
        // generation and updates block their thread: both run on the blocking dispatcher, and a failure restarts
        // the actor after a growing delay (the policy reloads its model and is sent the newest weights; the learner
        // continues from the state after its last completed update); the graph then asks again
        this.generator = spec.generator().orElseGet(() -> new PolicyActorGeneration(context.spawn(Behaviors.supervise(
                                PolicyActor.create(spec.rolloutModel(), spec.sampling(), spec.generationBatch(),
                                        spec.credit(), spec.firstStep()))
                        .onFailure(SupervisorStrategy.restartWithBackoff(backoff, backoff.multipliedBy(30), 0.2)),
                "policy", blocking), spec.settings().generateTimeout(), spec.settings().learnTimeout(),
                context.getSystem().scheduler()));
        // the environment's own calls fail as explicit ScoreFailed replies; a crash of the actor itself restarts it
        this.scorer = spec.scorer().orElseGet(() -> RolloutScorer.asking(context.spawn(Behaviors.supervise(
                                EnvironmentActor.create(spec.environment(), spec.environmentMaxInFlight(),
                                        spec.settings().batchSize() * (spec.settings().staleness() + 1),
                                        spec.environmentCallTimeout()))
                        .onFailure(SupervisorStrategy.restartWithBackoff(backoff, backoff.multipliedBy(30), 0.2)),
                "environment-" + spec.environment().name()), spec.settings().scoreTimeout().plus(TrainingGraph.ASK_MARGIN),
                context.getSystem().scheduler()));
        this.learner = context.spawn(Behaviors.supervise(LearnerActor.create(spec.learnerFactory()))
                        .onFailure(SupervisorStrategy.restartWithBackoff(backoff, backoff.multipliedBy(30), 0.2)),
                "learner", blocking);
    }

    public static <T> Behavior<Command> create(TrainingRunSpec<T> spec) {
        return Behaviors.setup(context -> new TrainingRunSupervisor<>(context, spec));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Start.class, m -> onStart())
                .onMessage(Pause.class, m -> onPause())
                .onMessage(Resume.class, m -> onResume())
                .onMessage(Stop.class, m -> onStop())
                .onMessage(Subscribe.class, m -> {
                    subscribers.add(m.subscriber());
                    return this;
                })
                .onMessage(GetStatus.class, m -> {
                    m.replyTo().tell(new Status(state, lastStep, List.copyOf(recent)));
                    return this;
                })
                .onMessage(StepDone.class, m -> onStep(m.report()))
                .onMessage(Drained.class, m -> onDrained())
                .onMessage(CheckpointSaved.class, m -> onSaved(m.failure()))
                .onMessage(GraphEnded.class, m -> onEnded(m.failure()))
                .onSignal(PostStop.class, signal -> {
                    generator.close();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onStart() {
        if (state != State.CREATED) {
            return this;
        }
        state = State.RUNNING;
        ActorRef<Command> self = getContext().getSelf();
        running = TrainingGraph.run(spec.tasks(), spec.settings(), generator, scorer, learner,
                getContext().getSystem().scheduler(), Materializer.matFromSystem(getContext().getSystem()),
                spec.firstStep(), spec.cursor(), spec.checkpointState(), report -> self.tell(new StepDone(report)));
        getContext().pipeToSelf(running.done(), (Done done, Throwable failure) -> new GraphEnded(failure));
        return this;
    }

    private Behavior<Command> onPause() {
        if (state == State.RUNNING) {
            running.gate().pause();
            state = State.PAUSED;
        }
        return this;
    }

    private Behavior<Command> onResume() {
        if (state == State.PAUSED) {
            running.gate().resume();
            state = State.RUNNING;
        }
        return this;
    }

    private Behavior<Command> onStop() {
        if (state == State.RUNNING || state == State.PAUSED) {
            state = State.STOPPING;
            ActorRef<Command> self = getContext().getSelf();
            running.gate().stop(() -> self.tell(new Drained()));
        } else if (state == State.CREATED) {
            finish(State.STOPPED, null);
        }
        return this;
    }

    private Behavior<Command> onDrained() {
        var checkpointState = new java.util.LinkedHashMap<>(spec.checkpointState());
        checkpointState.put("step", lastStep);
        getContext().pipeToSelf(AskPattern.<LearnerActor.Command, LearnerActor.Saved>ask(learner,
                        replyTo -> new LearnerActor.SaveCheckpoint(checkpointState, replyTo),
                        spec.settings().learnTimeout(), getContext().getSystem().scheduler()),
                (saved, failure) -> new CheckpointSaved(failure));
        return this;
    }

    private Behavior<Command> onSaved(Throwable failure) {
        stopCheckpointWritten = true;
        running.killSwitch().shutdown();
        if (failure != null) {
            getContext().getLog().error("the stop checkpoint failed", failure);
        }
        if (graphEnded) {
            finish(State.STOPPED, null);
        }
        return this;
    }

    private Behavior<Command> onStep(StepReport report) {
        lastStep = report.step();
        recent.add(report);
        if (recent.size() > RECENT) {
            recent.remove(0);
        }
        subscribers.forEach(s -> s.tell(new Step(report)));
        return this;
    }

    private Behavior<Command> onEnded(Throwable failure) {
        if (failure != null) {
            getContext().getLog().error("training run failed at step {}", lastStep, failure);
            finish(State.FAILED, failure.toString());
        } else if (state == State.STOPPING && !stopCheckpointWritten) {
            graphEnded = true; // the stop checkpoint is still being written; the run ends when it is
        } else {
            finish(state == State.STOPPING ? State.STOPPED : State.COMPLETED, null);
        }
        return this;
    }

    private void finish(State end, String failure) {
        state = end;
        subscribers.forEach(s -> s.tell(new Ended(end, lastStep, failure)));
    }
}

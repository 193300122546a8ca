package dev.deepretrieval.cluster;

import dev.deepretrieval.actors.ClusterMessage;
import dev.deepretrieval.actors.EnvironmentActor;
import dev.deepretrieval.actors.Rollout;
import dev.deepretrieval.runs.RunScoring;
import dev.deepretrieval.tasks.TrainingProblem;
import dev.deepretrieval.tasks.TrainingTasks;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * Scores the rollouts of one (run, task, retriever): a Cluster Sharding entity on the {@code env} nodes, so scoring
 * spreads over them and moves when they come and go. On its first request it opens the run's problem on its node
 * ({@link ScoringTargets}, on the blocking dispatcher; requests wait meanwhile), then hands every request to an
 * {@link EnvironmentActor} of its own, which bounds the calls in flight and times each out. Every request gets
 * exactly one reply, {@link Scored} or {@link Failed}. Messages carry what scoring needs (the prompt's id and the
 * completions), never the run's tasks: the node finds the task by its prompt id.
 */
public final class ScoringEntity {

    /** The sharded entity type; entity ids are {@link #entityId(RunScoring.Target)}. */
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "scoring");

    public interface Command extends ClusterMessage {}

    /**
     * Score rollout {@code index} of batch {@code batchId}: its completion and, with word credit, the completions of its
     * counterfactual choices.
     */
    public record Score(long batchId, int index, String promptId, String completion, List<String> counterfactuals,
            RunScoring.Target target, ActorRef<Reply> replyTo) implements Command {}

    private record Opened(TrainingProblem<?> problem, Throwable failure) implements Command {}

    private record Answered(Score request, EnvironmentActor.ScoreOutcome outcome, Throwable failure)
            implements Command {}

    public interface Reply extends ClusterMessage {
        long batchId();

        int index();
    }

    /**
     * The rollout's result (without the ranked ids, which stay on the env node) and each counterfactual's reward.
     */
    public record Scored(long batchId, int index, double reward, boolean formatValid, Optional<String> query,
            Map<String, Double> metrics, double[] counterfactualRewards) implements Reply {}

    /** @param timedOut the environment's call exceeded its timeout (otherwise it threw or was refused) */
    public record Failed(long batchId, int index, String reason, boolean timedOut) implements Reply {}

    /** Requests held while the problem opens. */
    private static final int WAITING = 10_000;

    private ScoringEntity() {}

    /**
     * Registers the entity type on {@code system}: env nodes host entities, every other node reaches them through a
     * proxy.
     *
     * @param maxInFlight concurrent environment calls per entity
     * @param callTimeout the longest one environment call may take
     */
    static ActorRef<org.apache.pekko.cluster.sharding.typed.ShardingEnvelope<Command>> initSharding(
            ActorSystem<?> system, ScoringTargets targets, int maxInFlight, Duration callTimeout) {
        return ClusterSharding.get(system).init(Entity.of(TYPE_KEY,
                        context -> create(targets, maxInFlight, callTimeout))
                .withRole(NodeRole.ENV.label()));
    }

    /** The entity of a run's (run, task, retriever). */
    public static String entityId(RunScoring.Target target) {
        return encode(target.runId()) + "|" + encode(target.task()) + "|" + encode(target.retriever());
    }

    private static String encode(String part) {
        return URLEncoder.encode(String.valueOf(part), StandardCharsets.UTF_8);
    }

    static Behavior<Command> create(ScoringTargets targets, int maxInFlight, Duration callTimeout) {
        return Behaviors.withStash(WAITING, waiting -> Behaviors.setup(context -> Behaviors.receive(Command.class)
                .onMessage(Score.class, first -> {
                    Executor blocking = context.getSystem().dispatchers()
                            .lookup(DispatcherSelector.fromConfig("deepretrieval.blocking-dispatcher"));
                    context.pipeToSelf(CompletableFuture.supplyAsync(() -> targets.problem(first.target()), blocking),
                            Opened::new);
                    waiting.stash(first);
                    return opening(context, waiting, targets, first.target(), maxInFlight, callTimeout);
                })
                .build()));
    }

    private static Behavior<Command> opening(ActorContext<Command> context, StashBuffer<Command> waiting,
            ScoringTargets targets, RunScoring.Target target, int maxInFlight, Duration callTimeout) {
        return Behaviors.receive(Command.class)
                .onMessage(Score.class, request -> {
                    if (waiting.isFull()) {
                        request.replyTo().tell(new Failed(request.batchId(), request.index(),
                                "scoring entity overloaded while opening its problem", false));
                    } else {
                        waiting.stash(request);
                    }
                    return Behaviors.same();
                })
                .onMessage(Opened.class, opened -> {
                    if (opened.failure() != null) {
                        Throwable cause = opened.failure().getCause() != null ? opened.failure().getCause()
                                : opened.failure();
                        context.getLog().error("cannot score: {}", cause.getMessage());
                        return waiting.unstashAll(failing(cause.getMessage()));
                    }
                    return waiting.unstashAll(new Ready<>(context, opened.problem(), maxInFlight, callTimeout)
                            .behavior(() -> targets.close(target)));
                })
                .onSignal(PostStop.class, stopped -> {
                    targets.close(target); // stopped while opening: whatever was opened goes
                    return Behaviors.same();
                })
                .build();
    }

    private static Behavior<Command> failing(String reason) {
        return Behaviors.receive(Command.class)
                .onMessage(Score.class, request -> {
                    request.replyTo().tell(new Failed(request.batchId(), request.index(), reason, false));
                    return Behaviors.same();
                })
                .build();
    }

    /** Scoring with the problem open: requests go to an environment actor of the entity's own. */
    private static final class Ready<T> {

        private final ActorContext<Command> context;
        private final TrainingTasks<T> tasks;
        private final Map<String, Integer> byPromptId = new HashMap<>();
        private final ActorRef<EnvironmentActor.Command<T>> environment;
        private final Duration askTimeout;

        Ready(ActorContext<Command> context, TrainingProblem<T> problem, int maxInFlight, Duration callTimeout) {
            this.context = context;
            this.tasks = problem.tasks();
            for (int i = 0; i < tasks.size(); i++) {
                byPromptId.put(tasks.promptId(i), i);
            }
            this.environment = context.spawn(EnvironmentActor.create(problem.environment(), maxInFlight, WAITING,
                    callTimeout), "environment");
            this.askTimeout = callTimeout.plusSeconds(5);
        }

        /** @param release closes the problem when the entity stops (passivated, moved, or its node stopping) */
        Behavior<Command> behavior(Runnable release) {
            return Behaviors.receive(Command.class)
                    .onMessage(Score.class, this::onScore)
                    .onMessage(Answered.class, this::onAnswered)
                    .onSignal(PostStop.class, stopped -> {
                        release.run();
                        return Behaviors.same();
                    })
                    .build();
        }

        private Behavior<Command> onScore(Score request) {
            Integer task = byPromptId.get(request.promptId());
            if (task == null) {
                request.replyTo().tell(new Failed(request.batchId(), request.index(),
                        "no prompt " + request.promptId() + " in " + request.target().task(), false));
                return Behaviors.same();
            }
            List<Rollout.Counterfactual> counterfactuals = request.counterfactuals().stream()
                    .map(c -> new Rollout.Counterfactual(-1, c)).toList();
            var rollout = new Rollout(request.batchId(), request.index(), request.promptId(), new int[0], new int[0],
                    request.completion(), -1, new float[0], null, counterfactuals);
            T taskValue = tasks.task(task);
            context.ask(EnvironmentActor.ScoreOutcome.class, environment, askTimeout,
                    replyTo -> new EnvironmentActor.Score<>(rollout, taskValue, replyTo),
                    (outcome, failure) -> new Answered(request, outcome, failure));
            return Behaviors.same();
        }

        private Behavior<Command> onAnswered(Answered answered) {
            Score request = answered.request();
            Reply reply = switch (answered.outcome()) {
                case EnvironmentActor.Scored s -> new Scored(request.batchId(), request.index(), s.result().reward(),
                        s.result().formatValid(), s.result().query(), s.result().metrics(), s.counterfactualRewards());
                case EnvironmentActor.ScoreFailed f -> new Failed(request.batchId(), request.index(), f.reason(),
                        f.timedOut());
                case null -> new Failed(request.batchId(), request.index(), "no reply from the environment within "
                        + askTimeout.toMillis() + " ms", true);
            };
            request.replyTo().tell(reply);
            return Behaviors.same();
        }
    }
}

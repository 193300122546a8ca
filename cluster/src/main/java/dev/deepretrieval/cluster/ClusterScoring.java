package dev.deepretrieval.cluster;

import dev.deepretrieval.actors.EnvironmentActor;
import dev.deepretrieval.actors.Rollout;
import dev.deepretrieval.actors.RolloutScorer;
import dev.deepretrieval.environments.EnvironmentResult;
import dev.deepretrieval.runs.RunScoring;
import dev.deepretrieval.tasks.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scoring on a cluster's env nodes: registers the {@link ScoringEntity} type on this node (hosting entities when the
 * node holds the env role) and, as a {@link RunScoring.Placement}, sends a run's rollouts to its (run, task, retriever)
 * entity. An attempt that gets no reply in time (its env node died, or the entity is moving) is sent again, to
 * wherever the entity lives by then, up to {@code deepretrieval.cluster.scoring.attempts} times; then the rollout is
 * an explicit failure. A late reply to an abandoned attempt goes nowhere (each attempt has its own reply address), so
 * every rollout is counted once.
 */
public final class ClusterScoring implements RunScoring.Placement, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterScoring.class);
    private static final String PREFIX = "deepretrieval.cluster.scoring.";

    private final ClusterSharding sharding;
    private final ScoringTargets targets;
    private final Duration attemptTimeout;
    private final int attempts;

    private ClusterScoring(ClusterSharding sharding, ScoringTargets targets, Duration attemptTimeout, int attempts) {
        this.sharding = sharding;
        this.targets = targets;
        this.attemptTimeout = attemptTimeout;
        this.attempts = attempts;
    }

    /**
     * Registers the scoring entities on {@code system} ({@code deepretrieval.cluster.scoring}, the train settings).
     *
     * @param say hears what an operator should see on this node (a run's problem opened here to score it)
     */
    public static ClusterScoring start(ActorSystem<?> system, Settings settings, Consumer<String> say) {
        var targets = new ScoringTargets(settings, say);
        ScoringEntity.initSharding(system, targets,
                settings.positiveInt("deepretrieval.train.environment.max-in-flight"),
                settings.raw().getDuration("deepretrieval.train.environment.call-timeout"));
        return new ClusterScoring(ClusterSharding.get(system), targets,
                settings.raw().getDuration(PREFIX + "attempt-timeout"), settings.positiveInt(PREFIX + "attempts"));
    }

    @Override
    public <T> Optional<RolloutScorer<T>> scorer(RunScoring.Target target) {
        EntityRef<ScoringEntity.Command> entity = sharding.entityRefFor(ScoringEntity.TYPE_KEY,
                ScoringEntity.entityId(target));
        return Optional.of((rollout, task) -> attempt(entity, target, rollout, 1));
    }

    private CompletionStage<EnvironmentActor.ScoreOutcome> attempt(EntityRef<ScoringEntity.Command> entity,
            RunScoring.Target target, Rollout rollout, int attempt) {
        List<String> counterfactuals = rollout.counterfactuals().stream().map(Rollout.Counterfactual::completion).toList();
        return entity.<ScoringEntity.Reply>ask(replyTo -> new ScoringEntity.Score(rollout.batchId(), rollout.index(),
                        rollout.promptId(), rollout.completion(), counterfactuals, target, replyTo), attemptTimeout)
                .handle((reply, failure) -> {
                    if (failure == null) {
                        return CompletableFuture.completedStage(outcome(rollout, reply));
                    }
                    if (attempt < attempts) {
                        LOG.warn("no score for rollout {}/{} within {} ms (attempt {} of {}): sending it again",
                                rollout.batchId(), rollout.index(), attemptTimeout.toMillis(), attempt, attempts);
                        return attempt(entity, target, rollout, attempt + 1);
                    }
                    return CompletableFuture.<EnvironmentActor.ScoreOutcome>completedStage(
                            new EnvironmentActor.ScoreFailed(rollout, "no reply from the env nodes in " + attempts
                                    + " attempts of " + attemptTimeout.toMillis() + " ms", true));
                })
                .thenCompose(stage -> stage);
    }

    private static EnvironmentActor.ScoreOutcome outcome(Rollout rollout, ScoringEntity.Reply reply) {
        return switch (reply) {
            case ScoringEntity.Scored s -> new EnvironmentActor.Scored(rollout,
                    new EnvironmentResult(s.reward(), s.formatValid(), s.query(), s.metrics(), List.of()),
                    s.counterfactualRewards());
            case ScoringEntity.Failed f -> new EnvironmentActor.ScoreFailed(rollout, f.reason(), f.timedOut());
            default -> throw new IllegalStateException("unknown reply " + reply);
        };
    }

    /** Closes the problems this node opened to score. */
    @Override
    public void close() {
        targets.close();
    }
}

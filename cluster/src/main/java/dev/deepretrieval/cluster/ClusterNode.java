package dev.deepretrieval.cluster;

import dev.deepretrieval.runs.RunRollouts;
import dev.deepretrieval.runs.RunScoring;
import dev.deepretrieval.runs.WeightFetcher;
import dev.deepretrieval.tasks.Settings;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * What a cluster node runs beside its HTTP service, whatever its roles: the scoring entities' type (hosted here on an
 * env node) with the runs of a learner node scoring through them; on a rollout node a {@link RolloutWorker}, on a
 * learner node the rollout work manager singleton with its runs generating through the rollout nodes, and the run
 * failover singleton ({@link #continuesRunsOf}); and this node's share of the external APIs' budgets. The problems opened to score close when the node shuts down.
 */
public final class ClusterNode {

    private final boolean learner;
    private final Optional<ClusterRollouts> rollouts;
    private final Consumer<String> say;

    private ClusterNode(boolean learner, Optional<ClusterRollouts> rollouts, Consumer<String> say) {
        this.learner = learner;
        this.rollouts = rollouts;
        this.say = say;
    }

    /**
     * Starts them on {@code system}, which has joined (or is joining) the cluster as {@code node} says.
     *
     * @param say hears what an operator should see on this node
     */
    public static ClusterNode start(ActorSystem<?> system, Settings settings, ClusterNodeSettings node,
            Consumer<String> say) {
        ClusterScoring scoring = ClusterScoring.start(system, settings, say);
        Optional<ClusterRollouts> rollouts = Optional.empty();
        if (node.has(NodeRole.LEARNER)) {
            RunScoring.place(system, scoring);
            rollouts = Optional.of(ClusterRollouts.start(system, settings, say));
            RunRollouts.place(system, rollouts.get());
        }
        if (node.has(NodeRole.ROLLOUT)) {
            var fetcher = new WeightFetcher(settings.path("deepretrieval.cluster.rollouts.weights-cache"),
                    settings.raw().getDuration("deepretrieval.cluster.rollouts.fetch-timeout"));
            system.systemActorOf(RolloutWorker.create(fetcher, Cluster.get(system).selfMember().address().toString(),
                    say), "rollout-worker", DispatcherSelector.fromConfig("deepretrieval.blocking-dispatcher"));
        }
        system.systemActorOf(ApiBudgetShare.create(), "api-budget-share", Props.empty());
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                "scoring-problems", () -> CompletableFuture.supplyAsync(() -> {
                    scoring.close();
                    return Done.getInstance();
                }));
        return new ClusterNode(node.has(NodeRole.LEARNER), rollouts, say);
    }

    /**
     * This node serves the runs API at {@code base} (an http node): rollout workers fetch the weight versions of its
     * runs there when {@code deepretrieval.cluster.rollouts.weights-from = http}.
     */
    public void servesHttpAt(URI base) {
        rollouts.ifPresent(r -> r.weightsServedAt(base));
    }

    /**
     * On a learner node, starts the run failover singleton's manager, adopting through {@code runs} (this node's runs
     * API; {@link RunFailover#NONE} on a learner node without one). Call it once, after the node's HTTP service.
     */
    public void continuesRunsOf(ActorSystem<?> system, RunFailover.Runs runs) {
        if (learner) {
            RunFailover.init(system, runs, say);
        }
    }
}

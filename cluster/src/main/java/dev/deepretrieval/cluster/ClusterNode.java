package dev.deepretrieval.cluster;

import dev.deepretrieval.runs.RunScoring;
import dev.deepretrieval.tasks.Settings;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/**
 * What a cluster node runs beside its HTTP service, whatever its roles: the scoring entities' type (hosted here on an
 * env node) with the runs of a learner node scoring through them, and this node's share of the external APIs'
 * budgets; the problems opened to score close when the node shuts down.
 */
public final class ClusterNode {

    private ClusterNode() {}

    /**
     * Starts them on {@code system}, which has joined (or is joining) the cluster as {@code node} says.
     *
     * @param say hears what an operator should see on this node
     */
    public static void start(ActorSystem<?> system, Settings settings, ClusterNodeSettings node, Consumer<String> say) {
        ClusterScoring scoring = ClusterScoring.start(system, settings, say);
        if (node.has(NodeRole.LEARNER)) {
            RunScoring.place(system, scoring);
        }
        system.systemActorOf(ApiBudgetShare.create(), "api-budget-share", Props.empty());
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                "scoring-problems", () -> CompletableFuture.supplyAsync(() -> {
                    scoring.close();
                    return Done.getInstance();
                }));
    }
}

package dev.deepretrieval.runs;

import dev.deepretrieval.actors.RolloutScorer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Where this node's training runs score their rollouts (a Pekko extension): by an environment actor of each run's
 * own, the default (one node), or elsewhere once the node says so at its start (a cluster's env nodes).
 */
public final class RunScoring implements Extension {

    /**
     * What an environment elsewhere needs to score a run's rollouts: the run, and the problem as the run opened it (the
     * scoring node opens the same one from these and its own configuration).
     */
    public record Target(String runId, String task, String template, String retriever, Path model, String device,
            int maxTokens) {}

    /** Makes a run's scorer: empty for the run's own environment actor. */
    public interface Placement {
        <T> Optional<RolloutScorer<T>> scorer(Target target);
    }

    private static final Placement LOCAL = new Placement() {
        @Override
        public <T> Optional<RolloutScorer<T>> scorer(Target target) {
            return Optional.empty();
        }
    };

    private static final ExtensionId<RunScoring> ID = new ExtensionId<>() {
        @Override
        public RunScoring createExtension(ActorSystem<?> system) {
            return new RunScoring();
        }
    };

    private volatile Placement placement = LOCAL;

    private RunScoring() {}

    /** The placement of {@code system}'s runs (local unless {@link #place} said otherwise). */
    public static Placement of(ActorSystem<?> system) {
        return ID.apply(system).placement;
    }

    /** Makes {@code placement} score the runs that start on {@code system} from now on (a node, at its start). */
    public static void place(ActorSystem<?> system, Placement placement) {
        ID.apply(system).placement = Objects.requireNonNull(placement);
    }
}

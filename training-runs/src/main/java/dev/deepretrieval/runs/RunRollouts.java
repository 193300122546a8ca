package dev.deepretrieval.runs;

import dev.deepretrieval.actors.Credit;
import dev.deepretrieval.rewriter.Decoding;
import dev.deepretrieval.streams.RolloutGenerator;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Where this node's training runs generate their rollouts (a Pekko extension): by a policy actor of each run's own,
 * the default (one node), or elsewhere once the node says so at its start (a cluster's rollout workers).
 */
public final class RunRollouts implements Extension {

    /** Under a run's folder: the weight versions it publishes for rollout workers elsewhere (newest few kept). */
    public static final String PUBLISHED_FOLDER = "published-weights";

    /**
     * What a rollout worker elsewhere needs to generate a run's rollouts as the run's own policy actor would: the
     * starting model and how it rewrites (template, decoding, credit, sampling), and where the run keeps its weights.
     *
     * @param template the prompt template's name
     * @param generationBatch sequences generated together
     * @param folder the run's output folder (its checkpoints, and the versions it publishes)
     * @param checkpoints the run's checkpoint folder
     * @param firstStep the step the run continues from (its checkpoint holds that version's weights)
     */
    public record Target(String runId, Path model, String device, String template, Decoding decoding, Credit credit,
            double temperature, int maxTokens, int generationBatch, Path folder, Path checkpoints, long firstStep) {}

    /** Makes a run's generator: empty for the run's own policy actor. */
    public interface Placement {
        Optional<RolloutGenerator> generator(Target target);
    }

    private static final Placement LOCAL = target -> Optional.empty();

    private static final ExtensionId<RunRollouts> ID = new ExtensionId<>() {
        @Override
        public RunRollouts createExtension(ActorSystem<?> system) {
            return new RunRollouts();
        }
    };

    private volatile Placement placement = LOCAL;

    private RunRollouts() {}

    /** The placement of {@code system}'s runs (their own policy actors unless {@link #place} said otherwise). */
    public static Placement of(ActorSystem<?> system) {
        return ID.apply(system).placement;
    }

    /** Makes {@code placement} generate for the runs that start on {@code system} from now on (a node, at its start). */
    public static void place(ActorSystem<?> system, Placement placement) {
        ID.apply(system).placement = Objects.requireNonNull(placement);
    }
}

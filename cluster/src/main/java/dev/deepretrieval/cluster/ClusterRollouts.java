package dev.deepretrieval.cluster;

import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.runs.RunRollouts;
import dev.deepretrieval.streams.RolloutGenerator;
import dev.deepretrieval.tasks.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Where a learner node's runs generate (a {@link RunRollouts.Placement}): on the cluster's rollout nodes when at least
 * one is up as the run starts ({@link RemoteGeneration}, through the {@link RolloutWorkManager} singleton), otherwise
 * on this node with the run's own policy actor, as on a single node; the run says which. Workers fetch each version's
 * weights from this node's weights route ({@code weights-from = http}) or from the run's folder on a store every node
 * mounts at the same path ({@code shared-store}).
 */
final class ClusterRollouts implements RunRollouts.Placement {

    private static final String PREFIX = "deepretrieval.cluster.rollouts.";

    private final ActorSystem<?> system;
    private final ActorRef<RolloutWorkManager.Command> manager;
    private final Consumer<String> say;
    private final boolean overHttp;
    private final int chunkPrompts;
    private final Duration chunkTimeout;
    private final int attempts;
    private final Duration generateTimeout;
    private final AtomicLong collectors = new AtomicLong();
    private volatile URI weightsBase;

    private ClusterRollouts(ActorSystem<?> system, ActorRef<RolloutWorkManager.Command> manager, Settings settings,
            Consumer<String> say) {
        this.system = system;
        this.manager = manager;
        this.say = say;
        String from = settings.text(PREFIX + "weights-from");
        if (!from.equals("http") && !from.equals("shared-store")) {
            throw settings.bad(PREFIX + "weights-from", "must be http or shared-store, not '" + from + "'");
        }
        this.overHttp = from.equals("http");
        this.chunkPrompts = settings.positiveInt(PREFIX + "chunk-prompts");
        this.chunkTimeout = settings.raw().getDuration(PREFIX + "chunk-timeout");
        this.attempts = settings.positiveInt(PREFIX + "attempts");
        this.generateTimeout = settings.raw().getDuration("deepretrieval.train.generate-timeout");
    }

    /** Starts the work manager singleton on {@code system} (a learner node) and the placement of its runs. */
    static ClusterRollouts start(ActorSystem<?> system, Settings settings, Consumer<String> say) {
        var manager = RolloutWorkManager.initSingleton(system, settings.positiveInt(PREFIX + "max-queued"));
        return new ClusterRollouts(system, manager, settings, say);
    }

    /** This node serves the runs API at {@code base}: with {@code weights-from = http}, workers fetch there. */
    void weightsServedAt(URI base) {
        this.weightsBase = base;
    }

    @Override
    public Optional<RolloutGenerator> generator(RunRollouts.Target target) {
        long workers = StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
                .filter(m -> m.status() == MemberStatus.up() && m.hasRole(NodeRole.ROLLOUT.label())).count();
        if (workers == 0) {
            say.accept("run " + target.runId() + ": no rollout node is up; the run generates on this node");
            return Optional.empty();
        }
        if (overHttp && weightsBase == null) {
            throw new IllegalStateException("deepretrieval.cluster.rollouts.weights-from = http needs the learner node"
                    + " to serve HTTP (the http role); or set it to shared-store");
        }
        say.accept(String.format(Locale.ROOT, "run %s: rollouts on the rollout nodes (%d up), chunks of %d prompts,"
                + " weights from %s", target.runId(), workers, chunkPrompts, overHttp ? weightsBase : "the shared store"));
        Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("deepretrieval.blocking-dispatcher"));
        ActorRef<ChunkCollector.Command> collector = system.systemActorOf(
                ChunkCollector.create(manager, chunkTimeout, attempts), "rollouts-" + target.runId() + "-" + collectors.incrementAndGet(),
                Props.empty());
        try {
            return Optional.of(new RemoteGeneration(system, target, collector, this::location, blocking, chunkPrompts,
                    generateTimeout));
        } catch (IOException e) {
            collector.tell(new ChunkCollector.Stop());
            throw new UncheckedIOException(e);
        }
    }

    /** Where workers fetch the actor weights of a run's step: this node's weights route, or the file itself. */
    private URI location(String runId, long step, Checkpoint.FileDigest actor) {
        return overHttp ? weightsBase.resolve("/v1/runs/" + runId + "/weights/" + step)
                : actor.path().toAbsolutePath().toUri();
    }
}

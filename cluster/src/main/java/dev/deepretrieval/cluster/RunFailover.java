package dev.deepretrieval.cluster;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Continues the runs of a learner node that is gone: a cluster singleton on the learner nodes which, when it starts
 * (on the oldest learner node, again on the next one when that one is removed) and the down-removal margin after a
 * member is removed, asks its node's runs which ones a node no longer in the cluster left running, and resumes each
 * here from its newest checkpoint, with the request it was started with. Only removed members' runs are taken, and
 * only after the margin (as Pekko hands over singletons and shards): a crashed node is gone, and a partitioned one,
 * downed on its own side too, has stopped its runs by then (which marks them ended, and they stay stopped). The run folders must be on a
 * store every learner node mounts at the same path ({@code deepretrieval.serve.runs-dir}).
 */
public final class RunFailover {

    /** A learner node's runs, as the failover needs them. */
    public interface Runs {
        /** The runs a node not among {@code liveNodes} (actor-system addresses) left running. */
        List<String> orphaned(Set<String> liveNodes);

        /** Resumes run {@code id} on this node from its newest checkpoint; false when it cannot be. */
        boolean resume(String id);
    }

    /** A learner node that serves no runs (no http role): it can host the singleton but adopts nothing. */
    public static final Runs NONE = new Runs() {
        @Override
        public List<String> orphaned(Set<String> liveNodes) {
            return List.of();
        }

        @Override
        public boolean resume(String id) {
            return false;
        }
    };

    private RunFailover() {}

    /** The singleton's protocol: its own timer and membership events; nothing is sent to it from outside. */
    interface Command {}

    private record Adopt() implements Command {}

    private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {}

    /** Starts the singleton's manager on {@code system} (a learner node), adopting through {@code runs}. */
    public static void init(ActorSystem<?> system, Runs runs, Consumer<String> say) {
        ClusterSingleton.get(system).init(SingletonActor.of(create(runs, say, downRemovalMargin(system)),
                "run-failover").withSettings(ClusterSingletonSettings.create(system)
                .withRole(NodeRole.LEARNER.label())));
    }

    /**
     * How long after a member's removal its runs are taken: {@code pekko.cluster.down-removal-margin}, or the
     * split-brain resolver's stable-after when it is off (as Pekko's resolver takes it for singletons and shards).
     */
    static Duration downRemovalMargin(ActorSystem<?> system) {
        var config = system.settings().config();
        String margin = config.getString("pekko.cluster.down-removal-margin");
        return margin.equals("off") ? config.getDuration("pekko.cluster.split-brain-resolver.stable-after")
                : config.getDuration("pekko.cluster.down-removal-margin");
    }

    static Behavior<Command> create(Runs runs, Consumer<String> say, Duration margin) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            Cluster cluster = Cluster.get(context.getSystem());
            Executor blocking = context.getSystem().dispatchers()
                    .lookup(DispatcherSelector.fromConfig("deepretrieval.blocking-dispatcher"));
            cluster.subscriptions().tell(Subscribe.create(context.messageAdapter(ClusterEvent.MemberEvent.class,
                    MemberChanged::new), ClusterEvent.MemberEvent.class));
            // a singleton that starts here after its node was removed was handed over after the margin already
            context.getSelf().tell(new Adopt());
            return Behaviors.receive(Command.class)
                    .onMessage(MemberChanged.class, changed -> {
                        if (changed.event() instanceof ClusterEvent.MemberRemoved) {
                            timers.startSingleTimer(new Adopt(), margin);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Adopt.class, adopt -> {
                        adopt(cluster, runs, say, blocking, context.getLog());
                        return Behaviors.same();
                    })
                    .build();
        }));
    }

    private static void adopt(Cluster cluster, Runs runs, Consumer<String> say, Executor blocking,
            org.slf4j.Logger log) {
        Set<String> live = new HashSet<>();
        for (Member member : cluster.state().getMembers()) {
            if (member.status() != MemberStatus.down() && member.status() != MemberStatus.removed()) {
                live.add(member.address().toString());
            }
        }
        CompletableFuture.runAsync(() -> {
            for (String id : runs.orphaned(live)) {
                say.accept("run " + id + ": its learner node is gone; resuming it here from its newest checkpoint");
                if (!runs.resume(id)) {
                    say.accept("run " + id + ": cannot be resumed here (no checkpoint, or it is running)");
                }
            }
        }, blocking).exceptionally(failure -> {
            log.error("adopting the runs of removed nodes failed", failure);
            return null;
        });
    }
}

package dev.deepretrieval.runs;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;

/**
 * The one {@link RunManager} of an actor system (a Pekko extension): the CLI's {@code train}, the runs API and, on a
 * cluster node, the node's work all reach the same manager. Its limit is {@code deepretrieval.serve.max-active-runs}.
 */
public final class RunManagers implements Extension {

    private static final ExtensionId<RunManagers> ID = new ExtensionId<>() {
        @Override
        public RunManagers createExtension(ActorSystem<?> system) {
            int maxActive = system.settings().config().getInt("deepretrieval.serve.max-active-runs");
            return new RunManagers(system.systemActorOf(RunManager.create(maxActive), "runs", Props.empty()));
        }
    };

    private final ActorRef<RunManager.Command> manager;

    private RunManagers(ActorRef<RunManager.Command> manager) {
        this.manager = manager;
    }

    /** The node's run manager, spawned on first use. */
    public static ActorRef<RunManager.Command> of(ActorSystem<?> system) {
        return ID.apply(system).manager;
    }
}

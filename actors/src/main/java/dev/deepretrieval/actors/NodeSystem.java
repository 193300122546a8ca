package dev.deepretrieval.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The one ActorSystem of this JVM (a node), as Pekko recommends: every command and service that needs actors,
 * streams or the HTTP client takes it from here (training runs, the rewrite service and its in-process runs, the
 * PubMed client, the benchmarks), so a {@code serve} with a run in progress is one system, not one per run. Created on
 * first use from that caller's configuration; a later caller gets the same system whatever its configuration (a run
 * started inside {@code serve} runs on the service's dispatchers). Its guardian does nothing: work is spawned under
 * it with {@link ActorSystem#systemActorOf}.
 */
public final class NodeSystem {

    private static ActorSystem<Void> system;
    private static int created;

    private NodeSystem() {}

    /** This JVM's actor system, created now from {@code config} (with Pekko's reference settings) if there is none. */
    public static synchronized ActorSystem<Void> obtain(Config config) {
        if (system == null) {
            system = ActorSystem.create(Behaviors.empty(), "deepretrieval",
                    config.withFallback(ConfigFactory.defaultReference()).resolve());
            created++;
        }
        return system;
    }

    /**
     * Terminates the system and waits (at most {@code timeoutSeconds}) until it has: the end of the command that owns
     * the JVM. A later {@link #obtain} creates a new one.
     */
    public static synchronized void terminate(long timeoutSeconds) {
        if (system != null) {
            ActorSystem<Void> ending = system;
            system = null;
            ending.terminate();
            try {
                ending.getWhenTerminated().toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
            } catch (Exception e) {
                // a system that does not end in time is left to the JVM's exit
            }
        }
    }

    /** How many systems this JVM has created so far (tests count them: one per command). */
    public static synchronized int created() {
        return created;
    }
}

package dev.deepretrieval.http;

import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.tasks.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The rewrite service as one node runs it ({@code deepretrieval.serve}): the served policy, its decode loop, the
 * training runs it manages, and the routes bound on a host and port, on the node's actor system. Closing it stops
 * accepting, lets requests in flight finish within {@code serve.stop-grace}, then stops the runs (each checkpoints)
 * and frees the policy.
 */
public final class RewriteServiceNode implements AutoCloseable {

    private final ServedPolicy served;
    private final RewriteService service;
    private final ManagedTrainingRuns runs;
    private final ServerBinding binding;
    private final Duration grace;

    private RewriteServiceNode(ServedPolicy served, RewriteService service, ManagedTrainingRuns runs,
            ServerBinding binding, Duration grace) {
        this.served = served;
        this.service = service;
        this.runs = runs;
        this.binding = binding;
        this.grace = grace;
    }

    /**
     * Loads {@code model}, starts the service and binds it.
     *
     * @param extraReads further read-only routes, guarded like the service's own (a cluster node's membership)
     */
    public static RewriteServiceNode start(Settings settings, ActorSystem<Void> system, Path model, String host, int port,
            List<Route> extraReads) throws Exception {
        ServeSettings serve = ServeSettings.from(settings);
        String device = settings.text("deepretrieval.policy.device");
        Policy policy = PolicyLoader.load(model, Optional.empty(), PolicyLoader.device(device));
        ServedPolicy served = new ServedPolicy(policy, CheckpointSwapper.versionOf(model));
        RewriteService service = null;
        ManagedTrainingRuns runs = null;
        try {
            service = new RewriteService(served, serve);
            runs = new ManagedTrainingRuns(settings, settings.path("deepretrieval.serve.runs-dir"), system);
            ServerBinding binding = RewriteHttpServer.start(system, host, port, service, serve,
                    new CheckpointSwapper(served, model, device), Optional.of(runs), extraReads)
                    .toCompletableFuture().get();
            return new RewriteServiceNode(served, service, runs, binding,
                    settings.raw().getDuration("deepretrieval.serve.stop-grace"));
        } catch (Exception | Error e) {
            if (runs != null) {
                runs.close();
            }
            if (service != null) {
                service.close();
            }
            served.close();
            throw e;
        }
    }

    /** The bound address ({@code http://host:port}). */
    public String address() {
        return RewriteHttpServer.describe(binding);
    }

    /** The runs API's runs on this node. */
    public ManagedTrainingRuns runs() {
        return runs;
    }

    public ServedPolicy served() {
        return served;
    }

    public RewriteService service() {
        return service;
    }

    @Override
    public void close() throws Exception {
        try {
            RewriteHttpServer.stop(binding, grace).toCompletableFuture().get();
        } finally {
            try (served; service; runs) {
                // closed in reverse order: runs (each checkpoints), the decode loop, the policy
            }
        }
    }
}

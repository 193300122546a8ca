package dev.deepretrieval.http;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.Materializer;

/** Binds the service's routes (rewrites, runs, dashboard) on a host and port. */
public final class RewriteHttpServer {

    private RewriteHttpServer() {}

    /**
     * Starts serving; the binding's local address tells the port when {@code port} is 0.
     *
     * @param swapper loads a policy to serve in place of the current one ({@code POST /v1/model})
     * @param runs the training runs the API and the dashboard show (none: no runs API)
     */
    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, String host, int port,
            RewriteService service, ServeSettings settings, PolicySwapper swapper, Optional<TrainingRuns> runs) {
        return start(system, host, port, service, settings, swapper, runs, List.of());
    }

    /** As {@link #start(ActorSystem, String, int, RewriteService, ServeSettings, PolicySwapper, Optional)}, with
     * further read-only routes guarded like the service's own. */
    public static CompletionStage<ServerBinding> start(ActorSystem<?> system, String host, int port,
            RewriteService service, ServeSettings settings, PolicySwapper swapper, Optional<TrainingRuns> runs,
            List<Route> extraReads) {
        var guards = new ServiceGuards(settings, new ClientRateLimiter(settings.requestsPerSecond(), settings.burst(),
                System::nanoTime));
        var routes = new ServiceRoutes(service, settings, Materializer.matFromSystem(system), swapper, guards);
        var dashboard = new DashboardRoutes();
        Optional<RunRoutes> runRoutes = runs.map(r -> new RunRoutes(r, guards));
        var readRoutes = new ArrayList<Route>(List.of(dashboard.route(), routes.reads()));
        runRoutes.ifPresent(r -> readRoutes.add(r.reads()));
        readRoutes.addAll(extraReads);
        Route reads = routes.concat(readRoutes.get(0), readRoutes.subList(1, readRoutes.size()).toArray(Route[]::new));
        Route writes = runRoutes.map(r -> routes.concat(routes.writes(), r.writes())).orElseGet(routes::writes);
        ServerSettings serverSettings = ServerSettings.create(system.classicSystem()).withRemoteAddressAttribute(true);
        return Http.get(system).newServerAt(host, port).withSettings(serverSettings)
                .bind(guards.guard(reads, writes));
    }

    /** The bound address, for logs and clients. */
    public static String describe(ServerBinding binding) {
        InetSocketAddress address = binding.localAddress();
        return "http://" + address.getHostString() + ":" + address.getPort();
    }

    /** Stops accepting, lets requests in flight finish for up to {@code grace}, then closes. */
    public static CompletionStage<?> stop(ServerBinding binding, Duration grace) {
        return binding.terminate(grace);
    }
}

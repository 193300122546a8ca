package dev.deepretrieval.cli;

import dev.deepretrieval.http.ManagedTrainingRuns;
import dev.deepretrieval.tasks.*;
import dev.deepretrieval.actors.NodeSystem;
import dev.deepretrieval.http.CheckpointSwapper;
import dev.deepretrieval.http.RewriteHttpServer;
import dev.deepretrieval.http.RewriteService;
import dev.deepretrieval.http.ServeSettings;
import dev.deepretrieval.http.ServedPolicy;
import dev.deepretrieval.policy.PolicyLoader;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The service as {@code serve} runs it, on a free loopback port, with the bundled default policy and training runs in
 * {@code temp/runs} (the project's configuration, its cache under {@code temp/cache}); for the runs API tests.
 */
final class ServedRuns implements AutoCloseable {

    private final ActorSystem<Void> system;
    private final ServedPolicy served;
    private final RewriteService service;
    /** Runs validate a few queries only (each validation is a greedy pass over them). */
    private static final String VALIDATION_CAP = "deepretrieval.train.validation.max-queries";

    private final ManagedTrainingRuns runs;
    private final String base;
    private final int systemsBefore;

    /** @param token the bearer token state changes need, or empty */
    ServedRuns(Path temp, Optional<String> token) throws Exception {
        Path home = Path.of("..").toAbsolutePath().normalize();
        System.setProperty("deepretrieval.home", home.toString());
        System.setProperty("deepretrieval.cache-dir", temp.resolve("cache").toString());
        System.setProperty(VALIDATION_CAP, "4");
        Settings settings = new Settings(ConfigLoader.load(null));
        systemsBefore = NodeSystem.created();
        system = NodeSystem.obtain(settings.raw());
        var serve = new ServeSettings("deepretrieval-default", "scifact", 1, 4, 65536, 2000, 96, 512, token, false, 1000,
                1000, 16_384, 8, 1);
        Path model = home.resolve("models").resolve("default-policy");
        served = new ServedPolicy(PolicyLoader.load(model, Optional.empty(), PolicyLoader.device("cpu")), "default-policy");
        service = new RewriteService(served, serve);
        runs = new ManagedTrainingRuns(settings, temp.resolve("runs"), system);
        base = RewriteHttpServer.describe(RewriteHttpServer.start(system, "127.0.0.1", 0, service, serve,
                new CheckpointSwapper(served, model, "cpu"), Optional.of(runs)).toCompletableFuture().get());
    }

    /** Actor systems this JVM created since the service started (1: the service's, which its runs share). */
    int systemsCreated() {
        return NodeSystem.created() - systemsBefore;
    }

    /** The service's base URL ({@code http://127.0.0.1:<port>}). */
    String base() {
        return base;
    }

    @Override
    public void close() throws Exception {
        try {
            runs.close();
            service.close();
            served.close();
        } finally {
            NodeSystem.terminate(60);
            System.clearProperty("deepretrieval.home");
            System.clearProperty(VALIDATION_CAP);
            System.clearProperty("deepretrieval.cache-dir");
        }
    }
}

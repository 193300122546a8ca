package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.Settings;
import dev.deepretrieval.actors.NodeSystem;
import dev.deepretrieval.http.RewriteServiceNode;
import dev.deepretrieval.http.ServeSettings;
import dev.deepretrieval.io.Addresses;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Serves the rewriter over HTTP until Ctrl-C or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves query rewrites over HTTP (deepretrieval.serve in application.conf): POST /v1/rewrite,"
                + " its stream as server-sent events (POST /v1/rewrite/stream) or over a WebSocket (GET"
                + " /v1/rewrite/stream), OpenAI-compatible POST /v1/chat/completions (stream: true as SSE) and GET"
                + " /v1/models; POST /v1/model swaps in a training run's checkpoint (latest or pinned step).",
            "State-changing endpoints need 'Authorization: Bearer <token>' when deepretrieval.serve.auth-token (or"
                + " DEEPRETRIEVAL_API_TOKEN) is set."},
        footer = {"%nExample: ./deepretrieval serve --port 8080 --model runs/train/model",
            "  curl -s localhost:8080/v1/rewrite -d '{\"query\": \"vitamin D and fractures\", \"task\": \"scifact\"}'",
            ExitCode.HELP_FOOTER})
final class ServeCommand implements Callable<Integer> {

    private static final String PREFIX = "deepretrieval.serve.";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--port", paramLabel = "P", description = "Port (default from config; 0 = any free port).")
    Integer port;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to bind (default from config).")
    String host;

    @Option(names = "--insecure", description = "Serve on a non-loopback address without an auth token (anyone who can"
            + " reach it may then start runs and swap in any model folder on disk).")
    boolean insecure;

    @Option(names = "--model", paramLabel = "FOLDER", description = "The policy to serve (default: the bundled default policy).")
    Path model;

    @Override
    public Integer call() throws Exception {
        Settings settings = new Settings(configOptions.load());
        ServeSettings serve = ServeSettings.from(settings);
        PrintWriter err = spec.commandLine().getErr();
        String address = host != null ? host : settings.text(PREFIX + "host");
        if (serve.authToken().isEmpty() && !insecure && !Addresses.isLoopback(address)) {
            throw new ParameterException(spec.commandLine(), "refusing to serve on " + address + " without an auth token:"
                    + " set deepretrieval.serve.auth-token (or DEEPRETRIEVAL_API_TOKEN), or say --insecure");
        }
        Path folder = model != null ? model : settings.path(PREFIX + "model");
        var stopped = new CompletableFuture<Void>();
        StopSignal stop = StopSignal.install(err, "stopping: finishing requests in flight; training runs checkpoint...")
                .onRequest(() -> stopped.complete(null));
        ActorSystem<Void> system = NodeSystem.obtain(settings.raw());
        try (RewriteServiceNode node = RewriteServiceNode.start(settings, system, folder, address,
                port != null ? port : settings.raw().getInt(PREFIX + "port"), List.of())) {
            err.printf(Locale.ROOT, "serving %s (version %s) on %s (dashboard at /); Ctrl-C stops%n", serve.modelName(),
                    node.served().version(), node.address());
            err.flush();
            stopped.get();
        } finally {
            NodeSystem.terminate(settings.raw().getDuration(PREFIX + "stop-grace").toSeconds() + 10);
            stop.uninstall();
        }
        return ExitCode.OK;
    }
}

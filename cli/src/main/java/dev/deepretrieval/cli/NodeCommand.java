package dev.deepretrieval.cli;

import dev.deepretrieval.actors.NodeSystem;
import dev.deepretrieval.cluster.ClusterMembers;
import dev.deepretrieval.cluster.ClusterNodeSettings;
import dev.deepretrieval.cluster.ClusterRoutes;
import dev.deepretrieval.cluster.ClusterNode;
import dev.deepretrieval.cluster.NodeRole;
import dev.deepretrieval.cluster.RunFailover;
import dev.deepretrieval.http.ManagedTrainingRuns;
import dev.deepretrieval.http.RewriteServiceNode;
import dev.deepretrieval.tasks.Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Runs one cluster node until Ctrl-C or SIGTERM, or until the cluster downs it. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = {"Runs one node of the training service on Pekko Cluster (deepretrieval.cluster in"
                + " application.conf): it joins through the seed nodes and holds the roles given: learner, rollout,"
                + " env, http. A node with the http role serves the rewrite API, the runs API and the dashboard"
                + " (deepretrieval.serve), and GET /v1/cluster lists the members and their roles.",
            "Cluster traffic (Artery TCP) is not authenticated: nodes bind loopback unless"
                + " deepretrieval.cluster.allow-non-loopback is set."},
        footer = {"%nExample, three nodes on one machine (the first is the seed):",
            "  ./deepretrieval node --roles learner,http --port 2551 --seed-nodes 127.0.0.1:2551",
            "  ./deepretrieval node --roles rollout,env --port 2552 --seed-nodes 127.0.0.1:2551",
            "  ./deepretrieval node --roles env --port 2553 --seed-nodes 127.0.0.1:2551",
            "  curl -s localhost:8080/v1/cluster",
            ExitCode.HELP_FOOTER})
final class NodeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--roles", paramLabel = "R[,R...]", description = "This node's roles: learner, rollout, env, http"
            + " (default from config).")
    String roles;

    @Option(names = "--seed-nodes", paramLabel = "HOST:PORT[,...]", description = "Seed nodes to join through"
            + " (default from config); this node's own address among them lets it start the cluster.")
    String seedNodes;

    @Option(names = "--host", paramLabel = "HOST", description = "Address the cluster transport binds (default from"
            + " config: 127.0.0.1).")
    String host;

    @Option(names = "--port", paramLabel = "P", description = "Port of the cluster transport (default from config).")
    Integer port;

    @Option(names = "--http-port", paramLabel = "P", description = "Port of the HTTP API on an http node (default:"
            + " deepretrieval.serve.port; 0 = any free port).")
    Integer httpPort;

    @Option(names = "--model", paramLabel = "FOLDER", description = "The policy an http node serves (default:"
            + " deepretrieval.serve.model).")
    Path model;

    @Override
    public Integer call() throws Exception {
        Settings settings = new Settings(configOptions.load());
        ClusterNodeSettings node = nodeSettings(settings);
        PrintWriter err = spec.commandLine().getErr();
        // Ctrl-C and SIGTERM run Pekko's coordinated shutdown (the service stops and its runs checkpoint, then the node
        // leaves the cluster, then the system ends); so does being downed. Artery's own exit hook waits for it.
        ActorSystem<Void> system = NodeSystem.obtain(node.pekkoConfig()
                .withFallback(ConfigFactory.parseString("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = on"))
                .withFallback(settings.raw()));
        Cluster cluster = Cluster.get(system);
        err.printf(Locale.ROOT, "node %s, roles %s: joining through %s%n", cluster.selfMember().address(),
                node.roles().stream().map(NodeRole::label).collect(Collectors.joining(", ")),
                String.join(", ", node.seedNodes()));
        err.flush();
        org.apache.pekko.cluster.Cluster.get(system.classicSystem()).registerOnMemberUp(() -> {
            err.printf(Locale.ROOT, "member up: %d members%n", ClusterMembers.of(system).members().size());
            err.flush();
        });
        try {
            ClusterNode started = ClusterNode.start(system, settings, node, line -> {
                err.println(line);
                err.flush();
            });
            if (node.has(NodeRole.HTTP)) {
                RewriteServiceNode service = RewriteServiceNode.start(settings, system,
                        model != null ? model : settings.path("deepretrieval.serve.model"),
                        settings.text("deepretrieval.serve.host"),
                        httpPort != null ? httpPort : settings.raw().getInt("deepretrieval.serve.port"),
                        List.of(new ClusterRoutes(system).reads()));
                CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "rewrite-service",
                        () -> CompletableFuture.supplyAsync(() -> {
                            err.println("stopping: the service finishes its requests; training runs checkpoint...");
                            err.flush();
                            try {
                                service.close();
                            } catch (Exception e) {
                                throw new CompletionException(e);
                            }
                            return Done.getInstance();
                        }));
                started.servesHttpAt(java.net.URI.create(service.address()));
                ManagedTrainingRuns runs = service.runs();
                started.continuesRunsOf(system, new RunFailover.Runs() {
                    @Override
                    public List<String> orphaned(Set<String> liveNodes) {
                        return runs.orphaned(liveNodes);
                    }

                    @Override
                    public boolean resume(String id) {
                        return runs.resume(id);
                    }
                });
                err.printf(Locale.ROOT, "serving on %s (dashboard at /, members at /v1/cluster)%n", service.address());
                err.flush();
            } else {
                started.continuesRunsOf(system, RunFailover.NONE);
            }
        } catch (Exception | Error e) {
            NodeSystem.terminate(30);
            throw e;
        }
        // said from the shutdown itself: after SIGTERM the JVM may end as soon as Pekko's shutdown hook returns, before
        // this thread would wake from the wait below
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "say-stopped",
                () -> {
                    err.println("node stopped");
                    err.flush();
                    return CompletableFuture.completedFuture(Done.getInstance());
                });
        system.getWhenTerminated().toCompletableFuture().get();
        return ExitCode.OK;
    }

    private ClusterNodeSettings nodeSettings(Settings settings) {
        try {
            ClusterNodeSettings node = ClusterNodeSettings.from(settings);
            if (roles != null) {
                node = node.withRoles(ClusterNodeSettings.parseRoles(roles));
            }
            if (seedNodes != null) {
                node = node.withSeedNodes(Arrays.stream(seedNodes.split(",")).map(String::strip)
                        .filter(s -> !s.isEmpty()).toList());
            }
            if (host != null) {
                node = node.withHost(host);
            }
            if (port != null) {
                node = node.withPort(port);
            }
            return node;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}

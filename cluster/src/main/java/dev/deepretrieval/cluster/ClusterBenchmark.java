package dev.deepretrieval.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.runs.RunRollouts;
import dev.deepretrieval.runs.StepTimings;
import dev.deepretrieval.runs.WeightFetcher;
import dev.deepretrieval.runs.WeightVersion;
import dev.deepretrieval.tasks.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@code bench cluster}: the same short training run (BM25, the bundled policy) through the runs API of a cluster of
 * one node holding every role, and of three nodes (learner and http; rollout; env), each node its own JVM on
 * 127.0.0.1, both on the cluster path (rollouts pulled by a rollout worker, weights published per step and fetched
 * over HTTP, rollouts scored by the sharded scoring entity); and, as the baseline, one node without the rollout role,
 * whose run generates with its own policy actor. Steps per second come from the runs' own per-phase
 * timings with the first step left out; the weight transfer is the newest published version fetched over the
 * learner's weights route by this process, as a worker fetches it.
 */
public final class ClusterBenchmark {

    private static final String PREFIX = "deepretrieval.bench.cluster.";
    private static final Duration WAIT = Duration.ofMinutes(20);

    /** One node's roles. */
    record Node(String name, String roles) {}

    /** What one cluster measured: its steps' timings (the first step left out). */
    public record Layout(String name, StepTimings timings) {}

    /** One weight version fetched over HTTP: its megabytes, and the median megabytes per second. */
    public record Weights(double megabytes, double megabytesPerSecond) {}

    /** The baseline (one node generating in process), both clusters, and the weight transfer. */
    public record Report(Layout local, Layout one, Layout three, Weights weights) {}

    /** A cluster's run, measured, with the weight transfer when it was asked for. */
    private record Measured(Layout layout, Optional<Weights> weights) {}

    private final Settings settings;
    private final Path home;
    private final Consumer<String> say;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param home the installation whose launcher starts the nodes */
    public ClusterBenchmark(Settings settings, Path home, Consumer<String> say) {
        this.settings = settings;
        this.home = home;
        this.say = say;
    }

    public Report run() throws Exception {
        Path folder = Files.createTempDirectory("deepretrieval-bench-cluster");
        try {
            Measured local = layout("1 node, generating in process", folder.resolve("local"),
                    List.of(new Node("node", "learner,env,http")), false);
            Measured one = layout("1 node", folder.resolve("nodes-1"),
                    List.of(new Node("node", "learner,rollout,env,http")), true);
            Measured three = layout("3 nodes", folder.resolve("nodes-3"), List.of(new Node("learner", "learner,http"),
                    new Node("rollout", "rollout"), new Node("env", "env")), true);
            return new Report(local.layout(), one.layout(), three.layout(), three.weights().orElseThrow());
        } finally {
            AtomicFiles.deleteTree(folder);
        }
    }

    /**
     * Starts {@code nodes} (the first seeds the cluster and serves HTTP), trains through its runs API and measures;
     * on the cluster path, also the transfer of the run's newest published version (before the nodes stop).
     *
     * @param onRolloutNodes whether the run must generate on a rollout node (checked in the learner's log)
     */
    private Measured layout(String name, Path folder, List<Node> nodes, boolean onRolloutNodes) throws Exception {
        Files.createDirectories(folder);
        int steps = settings.positiveInt(PREFIX + "steps");
        List<String> common = List.of("-Ddeepretrieval.serve.runs-dir=" + folder.resolve("runs"),
                "-Ddeepretrieval.train.validation.max-queries=" + settings.raw().getInt(PREFIX + "validation-queries"),
                "-Ddeepretrieval.cluster.rollouts.chunk-prompts=" + settings.positiveInt(PREFIX + "chunk-prompts"));
        say.accept("bench cluster: starting " + name + " on 127.0.0.1");
        try (var processes = new NodeProcesses(home, folder, common)) {
            int seedPort = NodeProcesses.freePort();
            int httpPort = NodeProcesses.freePort();
            String seed = "127.0.0.1:" + seedPort;
            processes.start(nodes.get(0).name(), nodes.get(0).roles(), seedPort, seed, "--http-port",
                    String.valueOf(httpPort));
            for (Node node : nodes.subList(1, nodes.size())) {
                processes.start(node.name(), node.roles(), NodeProcesses.freePort(), seed);
            }
            String base = "http://127.0.0.1:" + httpPort;
            String first = nodes.get(0).name();
            await(processes, first, base + "/v1/cluster", c -> c.path("members").size() == nodes.size()
                    && c.path("members").findValuesAsText("status").stream().allMatch("up"::equals));
            String body = JsonMapping.mapper().createObjectNode().put("steps", steps)
                    .put("prompts_per_step", settings.positiveInt(PREFIX + "prompts-per-step"))
                    .put("heldout_max_queries", settings.raw().getInt(PREFIX + "heldout-queries"))
                    .put("seed", 0).toString();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201) {
                throw new IOException("POST /v1/runs answered " + created.statusCode() + ": " + created.body());
            }
            String id = JsonMapping.mapper().readTree(created.body()).path("id").asText();
            say.accept("bench cluster: " + name + ", run " + id + " (" + steps + " steps)");
            JsonNode ended = await(processes, first, base + "/v1/runs/" + id,
                    r -> r.path("state").asText().equals("completed") || r.path("state").asText().equals("failed"));
            if (!ended.path("state").asText().equals("completed")) {
                throw new IOException("the run on " + name + " failed: " + ended + "\n" + processes.log(first));
            }
            if (onRolloutNodes != processes.log(first).contains("run " + id + ": rollouts on the rollout nodes")) {
                throw new IOException("the run on " + name + (onRolloutNodes ? " did not generate" : " generated")
                        + " on a rollout node:\n" + processes.log(first));
            }
            Path out = folder.resolve("runs").resolve(id).resolve("out");
            Layout layout = new Layout(name, StepTimings.read(out.resolve("metrics.jsonl")));
            return new Measured(layout, onRolloutNodes ? Optional.of(measureWeights(out, base, id,
                    folder.resolve("fetched"))) : Optional.empty());
        }
    }

    /** The run's newest published version fetched over the learner's weights route, each time into a new cache. */
    private Weights measureWeights(Path out, String base, String id, Path caches) throws Exception {
        Checkpoint newest = new CheckpointStore(out.resolve(RunRollouts.PUBLISHED_FOLDER), 1).latestValid()
                .orElseThrow(() -> new IOException("the run published no weights in " + out));
        WeightVersion version = WeightVersion.of(id, newest,
                step -> URI.create(base + "/v1/runs/" + id + "/weights/" + step));
        int fetches = settings.positiveInt(PREFIX + "weight-fetches");
        double[] rates = new double[fetches];
        for (int i = 0; i < fetches; i++) {
            var fetcher = new WeightFetcher(caches.resolve(String.valueOf(i)), Duration.ofMinutes(2));
            long start = System.nanoTime();
            fetcher.fetch(version);
            rates[i] = version.size() / 1e6 / ((System.nanoTime() - start) / 1e9);
        }
        Arrays.sort(rates);
        var weights = new Weights(version.size() / 1e6, rates[fetches / 2]);
        say.accept(String.format(Locale.ROOT, "bench cluster: weight version %d (%.1f MB) fetched %d times",
                version.version(), weights.megabytes(), fetches));
        return weights;
    }

    /** Polls {@code uri} until {@code done} holds (a node still starting counts as not yet). */
    private JsonNode await(NodeProcesses processes, String node, String uri, Predicate<JsonNode> done)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    last = JsonMapping.mapper().readTree(response.body());
                    if (done.test(last)) {
                        return last;
                    }
                }
            } catch (IOException notServingYet) {
                // the node is still starting
            }
            TimeUnit.MILLISECONDS.sleep(500); // polling interval: the loop ends on the condition
        }
        throw new IOException(uri + " never got there in " + WAIT.toMinutes() + " min; last " + last + "\n"
                + processes.log(node));
    }
}

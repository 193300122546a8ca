package dev.deepretrieval.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.runs.MetricsLog;
import dev.deepretrieval.runs.RunRollouts;
import dev.deepretrieval.runs.TrainingOutputs;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    private static final List<String> PHASES = List.of("generate", "reward", "learn", "swap");
    private static final Duration WAIT = Duration.ofMinutes(20);

    /** One node's roles. */
    record Node(String name, String roles) {}

    /**
     * What one cluster measured: seconds per step (the sum of the phases' means over the measured steps) and each
     * phase's mean.
     */
    public record Layout(String name, int nodes, int stepsMeasured, double secondsPerStep, Map<String, Double> phases,
            double wallSeconds) {
        public double stepsPerSecond() {
            return 1 / secondsPerStep;
        }
    }

    /**
     * The baseline (one node generating in process), both clusters, and the weights of one version fetched over HTTP
     * (megabytes, and the median MB/s).
     */
    public record Report(Layout local, Layout one, Layout three, double weightsMegabytes,
            double weightsMegabytesPerSecond) {}

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
            Layout local = layout("1 node, generating in process", folder.resolve("local"),
                    List.of(new Node("node", "learner,env,http")), false, null);
            Layout one = layout("1 node", folder.resolve("nodes-1"), List.of(new Node("node", "learner,rollout,env,http")),
                    true, null);
            double[] weights = new double[2];
            Layout three = layout("3 nodes", folder.resolve("nodes-3"), List.of(new Node("learner", "learner,http"),
                    new Node("rollout", "rollout"), new Node("env", "env")), true, weights);
            return new Report(local, one, three, weights[0], weights[1]);
        } finally {
            AtomicFiles.deleteTree(folder);
        }
    }

    /**
     * Starts {@code nodes} (the first seeds the cluster and serves HTTP), trains through its runs API and measures;
     * with {@code weights}, also the transfer of the run's newest published version.
     *
     * @param onRolloutNodes whether the run must generate on a rollout node (checked in the learner's log)
     */
    private Layout layout(String name, Path folder, List<Node> nodes, boolean onRolloutNodes, double[] weights)
            throws Exception {
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
            long start = System.nanoTime();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201) {
                throw new IOException("POST /v1/runs answered " + created.statusCode() + ": " + created.body());
            }
            String id = JsonMapping.mapper().readTree(created.body()).path("id").asText();
            say.accept("bench cluster: " + name + ", run " + id + " (" + steps + " steps)");
            JsonNode ended = await(processes, first, base + "/v1/runs/" + id,
                    r -> r.path("state").asText().equals("completed") || r.path("state").asText().equals("failed"));
            double wall = (System.nanoTime() - start) / 1e9;
            if (!ended.path("state").asText().equals("completed")) {
                throw new IOException("the run on " + name + " failed: " + ended + "\n" + processes.log(first));
            }
            if (onRolloutNodes != processes.log(first).contains("run " + id + ": rollouts on the rollout nodes")) {
                throw new IOException("the run on " + name + (onRolloutNodes ? " did not generate" : " generated")
                        + " on a rollout node:\n" + processes.log(first));
            }
            Path out = folder.resolve("runs").resolve(id).resolve("out");
            if (weights != null) {
                measureWeights(out, base, id, folder.resolve("fetched"), weights);
            }
            return measured(name, nodes.size(), out.resolve("metrics.jsonl"), wall);
        }
    }

    private static Layout measured(String name, int nodes, Path metrics, double wall) throws IOException {
        List<JsonNode> lines = MetricsLog.read(metrics).stream().filter(TrainingOutputs::isStepLine).toList();
        List<JsonNode> measured = lines.subList(1, lines.size());
        var phases = new LinkedHashMap<String, Double>();
        double total = 0;
        for (String phase : PHASES) {
            double mean = measured.stream().mapToDouble(l -> l.path("timing_s/" + phase).asDouble()).average()
                    .orElse(0);
            phases.put(phase, mean);
            total += mean;
        }
        return new Layout(name, nodes, measured.size(), total, phases, wall);
    }

    /** The run's newest published version fetched over the learner's weights route, each time into a new cache. */
    private void measureWeights(Path out, String base, String id, Path caches, double[] weights) throws Exception {
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
        weights[0] = version.size() / 1e6;
        weights[1] = rates[fetches / 2];
        say.accept(String.format(Locale.ROOT, "bench cluster: weight version %d (%.1f MB) fetched %d times",
                version.version(), weights[0], fetches));
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

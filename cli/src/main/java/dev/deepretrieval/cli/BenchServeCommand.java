package dev.deepretrieval.cli;

import dev.deepretrieval.tasks.*;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.actors.NodeSystem;
import dev.deepretrieval.policy.generation.ContinuousBatcher;
import dev.deepretrieval.http.CheckpointSwapper;
import dev.deepretrieval.http.RewriteHttpServer;
import dev.deepretrieval.http.RewriteService;
import dev.deepretrieval.http.ServeSettings;
import dev.deepretrieval.http.ServedPolicy;
import dev.deepretrieval.policy.PolicyLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Load on {@code POST /v1/rewrite} with wrk on loopback (requests/s, p50 and p99 at each connection count), and the
 * endpoint's overhead over in-process generation: per request, the client's latency minus the generation's own time.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Requests/s and p50/p99 latency of POST /v1/rewrite under wrk (Debian package wrk) at each of"
                + " deepretrieval.bench.serve.connections, and the endpoint's p50 overhead over in-process generation.",
        footer = ExitCode.HELP_FOOTER)
final class BenchServeCommand implements Callable<Integer> {

    private static final String PREFIX = "deepretrieval.bench.serve.";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern GENERATION = Pattern.compile("^generation_ms ([0-9.]+)$", Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--json", description = "Print the figures as one JSON object on the last line of stdout.")
    boolean json;

    /**
     * One wrk run's figures.
     *
     * @param generationP50Ms the median of the generation times the responses reported (the requests' own in-process
     *     generation)
     */
    private record Load(int connections, double requestsPerSecond, double p50Ms, double p99Ms, long non2xx, long errors,
            double generationP50Ms, LoopShare loop) {

        Load with(LoopShare share) {
            return new Load(connections, requestsPerSecond, p50Ms, p99Ms, non2xx, errors, generationP50Ms, share);
        }
    }

    /**
     * The decode loop over one row: its mean batch; per decode step, the time in the forward pass, in choosing tokens
     * and in adding joining requests to the cache; per joining request, the time its prefill took (on the prefill
     * thread); the share of the row's wall time each of the two threads was busy; and the share of row-steps that
     * attended the template head apart (cascade attention).
     */
    private record LoopShare(double meanBatch, double forwardMsPerStep, double samplingMsPerStep,
            double appendMsPerStep, double prefillMsPerJoin, double decodeBusy, double prefillBusy, double cascaded) {

        static LoopShare between(ContinuousBatcher.Stats before, ContinuousBatcher.Stats after, double seconds) {
            long steps = Math.max(1, after.steps() - before.steps());
            long joins = Math.max(1, after.joins() - before.joins());
            long prefill = after.prefillNanos() - before.prefillNanos();
            long append = after.appendNanos() - before.appendNanos();
            long forward = after.forwardNanos() - before.forwardNanos();
            long sampling = after.samplingNanos() - before.samplingNanos();
            long rowSteps = after.rowSteps() - before.rowSteps();
            return new LoopShare(rowSteps / (double) steps, forward / 1e6 / steps,
                    sampling / 1e6 / steps, append / 1e6 / steps, prefill / 1e6 / joins,
                    (append + forward + sampling) / 1e9 / seconds, prefill / 1e9 / seconds,
                    (after.cascadedRowSteps() - before.cascadedRowSteps()) / (double) Math.max(1, rowSteps));
        }
    }

    @Override
    public Integer call() throws Exception {
        Settings settings = new Settings(configOptions.load());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isExecutable(Path.of("/usr/bin/wrk"))) {
            err.println("deepretrieval: bench serve needs wrk: apt-get install -y wrk");
            return ExitCode.UNAVAILABLE;
        }
        String query = settings.text(PREFIX + "query");
        String task = settings.text(PREFIX + "task");
        int maxTokens = settings.positiveInt(PREFIX + "max-tokens");
        List<Integer> connections = settings.positiveInts(PREFIX + "connections");
        int seconds = (int) settings.raw().getDuration(PREFIX + "duration", TimeUnit.SECONDS);
        int requests = settings.positiveInt(PREFIX + "overhead-requests");
        ServeSettings base = ServeSettings.from(settings);
        int most = connections.stream().mapToInt(Integer::intValue).max().orElse(1);
        // the load comes from one address: no rate limit, and a queue that holds every connection's request
        var serve = new ServeSettings(base.modelName(), task, base.maxConcurrent(), Math.max(base.maxQueued(), most),
                base.maxBodyBytes(), base.maxQueryChars(), base.defaultMaxTokens(), base.maxTokensLimit(), Optional.empty(),
                false, 1e9, 1_000_000, base.kvCacheTokens(), base.sharedPrefixes(),
                base.decodeThreads());
        Path model = settings.path("deepretrieval.serve.model");
        String device = settings.text("deepretrieval.policy.device");
        ActorSystem<Void> system = NodeSystem.obtain(settings.raw());
        Path script = Files.createTempFile("deepretrieval-wrk", ".lua");
        try (ServedPolicy served = new ServedPolicy(PolicyLoader.load(model, Optional.empty(), PolicyLoader.device(device)),
                        CheckpointSwapper.versionOf(model));
                RewriteService service = new RewriteService(served, serve)) {
            ServerBinding binding = RewriteHttpServer.start(system, "127.0.0.1", 0, service, serve,
                    new CheckpointSwapper(served, model, device), Optional.empty()).toCompletableFuture().get();
            String body = Json.line(Json.object().put("query", query).put("task", task).put("max_tokens", maxTokens));
            Files.writeString(script, "wrk.method = \"POST\"\nwrk.body = '" + body.replace("'", "\\'") + "'\n"
                    + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                    + "response = function(status, headers, body)\n"
                    + "  local v = string.match(body, '\"latency_ms\":([0-9.]+)')\n"
                    + "  if v then io.write('generation_ms ' .. v .. '\\n') end\n"
                    + "end\n", StandardCharsets.UTF_8);
            String url = RewriteHttpServer.describe(binding) + "/v1/rewrite";
            err.printf(Locale.ROOT, "overhead: %d requests one at a time...%n", requests);
            err.flush();
            double[] paired = overheadPerRequest(url, body, requests);
            var loads = new ArrayList<Load>();
            for (int c : connections) {
                err.printf(Locale.ROOT, "wrk: %d connection(s) for %d s...%n", c, seconds);
                err.flush();
                ContinuousBatcher.Stats before = service.decodeLoop();
                long started = System.nanoTime();
                Load load = wrk(script, url, c, seconds);
                double elapsed = (System.nanoTime() - started) / 1e9;
                // requests wrk left behind when it closed its connections finish before the next row
                while (service.inFlight() > 0) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                loads.add(load.with(LoopShare.between(before, service.decodeLoop(), elapsed)));
            }
            binding.unbind().toCompletableFuture().get();
            print(out, paired, maxTokens, seconds, loads);
            ContinuousBatcher.Stats loop = service.decodeLoop();
            var config = served.acquire();
            long perPosition;
            try (config) {
                var c = config.policy().config();
                perPosition = 2L * c.numLayers() * c.numKeyValueHeads() * c.headDim() * Float.BYTES;
            }
            long bound = serve.kvCacheTokens() * perPosition;
            out.printf(Locale.ROOT, "decode loop: peak batch %d (max-concurrent %d), %,d steps; peak KV cache %.1f MiB"
                    + " (%,d positions) against the bound of %.1f MiB (kv-cache-tokens %,d); shared template"
                    + " prefixes %.2f MiB%n", loop.peakBatch(),
                    serve.maxConcurrent(), loop.steps(), loop.peakCacheBytes() / 1048576.0, loop.peakCacheTokens(),
                    bound / 1048576.0, serve.kvCacheTokens(), loop.sharedPrefixBytes() / 1048576.0);
            if (json) {
                ObjectNode node = Json.object();
                node.put("generation_p50_ms", paired[0]);
                node.put("client_p50_ms", paired[1]);
                node.put("overhead_p50_ms", paired[2]);
                node.put("max_tokens", maxTokens);
                var rows = node.putArray("loads");
                for (Load load : loads) {
                    rows.addObject().put("connections", load.connections()).put("requests_per_second", load.requestsPerSecond())
                            .put("p50_ms", load.p50Ms()).put("p99_ms", load.p99Ms()).put("non_2xx", load.non2xx())
                            .put("socket_errors", load.errors()).put("generation_p50_ms", load.generationP50Ms())
                            .put("mean_batch", load.loop().meanBatch())
                            .put("forward_ms_per_step", load.loop().forwardMsPerStep())
                            .put("sampling_ms_per_step", load.loop().samplingMsPerStep())
                            .put("append_ms_per_step", load.loop().appendMsPerStep())
                            .put("prefill_ms_per_join", load.loop().prefillMsPerJoin())
                            .put("decode_busy", load.loop().decodeBusy())
                            .put("prefill_busy", load.loop().prefillBusy())
                            .put("cascaded", load.loop().cascaded());
                }
                loads.stream().filter(l -> l.connections() == 1).findFirst().ifPresent(l ->
                        node.put("wrk_overhead_p50_ms", l.p50Ms() - l.generationP50Ms()));
                node.put("peak_batch", loop.peakBatch());
                node.put("peak_kv_cache_bytes", loop.peakCacheBytes());
                node.put("peak_kv_cache_positions", loop.peakCacheTokens());
                node.put("kv_cache_bound_bytes", bound);
                node.put("shared_prefix_bytes", loop.sharedPrefixBytes());
                out.println(Json.line(node));
            }
            out.flush();
        } finally {
            Files.deleteIfExists(script);
            NodeSystem.terminate(60);
        }
        return ExitCode.OK;
    }

    /**
     * The endpoint's overhead per request: {@code n} requests one at a time over HTTP/1.1 (after warm-up), each one's
     * latency at the client minus the generation's own time that the response reports for that same request. Returns
     * {p50 of the generation's own time, p50 at the client, p50 of the per-request differences} in ms. Pairing within
     * each request takes the generation's variance out of the comparison.
     */
    private static double[] overheadPerRequest(String url, String body, int n) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        double[] generation = new double[n];
        double[] client = new double[n];
        double[] differences = new double[n];
        for (int i = -3; i < n; i++) {
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            double millis = (System.nanoTime() - start) / 1e6;
            if (response.statusCode() != 200) {
                throw new IOException("the endpoint answered " + response.statusCode() + ": " + response.body());
            }
            if (i >= 0) {
                generation[i] = JSON.readTree(response.body()).path("latency_ms").asDouble();
                client[i] = millis;
                differences[i] = millis - generation[i];
            }
        }
        return new double[] {median(generation), median(client), median(differences)};
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Load wrk(Path script, String url, int connections, int seconds) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("/usr/bin/wrk", "-t", String.valueOf(Math.min(connections, 2)), "-c",
                String.valueOf(connections), "-d", seconds + "s", "--timeout", "60s", "--latency", "-s", script.toString(), url)
                .redirectErrorStream(true).start();
        String report = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("wrk failed: " + report);
        }
        Matcher rate = RATE.matcher(report);
        if (!rate.find()) {
            throw new IOException("no Requests/sec in wrk's report: " + report);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher percentile = PERCENTILE.matcher(report);
        while (percentile.find()) {
            double value = Double.parseDouble(percentile.group(2)) * switch (percentile.group(3)) {
                case "us" -> 1e-3;
                case "ms" -> 1;
                default -> 1e3;
            };
            if (percentile.group(1).equals("50")) {
                p50 = value;
            } else {
                p99 = value;
            }
        }
        Matcher non2xx = NON_2XX.matcher(report);
        Matcher errors = ERRORS.matcher(report);
        long socketErrors = 0;
        if (errors.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(errors.group(g));
            }
        }
        Matcher generation = GENERATION.matcher(report);
        var generated = new ArrayList<Double>();
        while (generation.find()) {
            generated.add(Double.parseDouble(generation.group(1)));
        }
        return new Load(connections, Double.parseDouble(rate.group(1)), p50, p99,
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, socketErrors,
                median(generated.stream().mapToDouble(Double::doubleValue).toArray()), null);
    }

    private static void print(PrintWriter out, double[] paired, int maxTokens, int seconds, List<Load> loads) {
        out.printf(Locale.ROOT, "POST /v1/rewrite, greedy, up to %d new tokens, wrk %d s per row%n", maxTokens, seconds);
        out.printf(Locale.ROOT, "%-12s %12s %10s %10s %8s %8s %16s%n", "connections", "requests/s", "p50 ms", "p99 ms",
                "non-2xx", "errors", "generation p50");
        for (Load load : loads) {
            out.printf(Locale.ROOT, "%-12d %12.2f %10.2f %10.2f %8d %8d %16.2f%n", load.connections(), load.requestsPerSecond(),
                    load.p50Ms(), load.p99Ms(), load.non2xx(), load.errors(), load.generationP50Ms());
        }
        out.printf(Locale.ROOT, "%-12s %10s %11s %12s %10s %11s %12s %13s %9s%n", "decode loop", "mean batch",
                "forward ms", "sampling ms", "append ms", "prefill ms", "decode busy", "prefill busy", "cascaded");
        for (Load load : loads) {
            LoopShare loop = load.loop();
            out.printf(Locale.ROOT, "%-12d %10.2f %11.2f %12.2f %10.2f %11.2f %11.0f%% %12.0f%% %8.0f%%%n",
                    load.connections(), loop.meanBatch(), loop.forwardMsPerStep(), loop.samplingMsPerStep(),
                    loop.appendMsPerStep(), loop.prefillMsPerJoin(), 100 * loop.decodeBusy(), 100 * loop.prefillBusy(),
                    100 * loop.cascaded());
        }
        out.println("(forward, sampling and append per decode step; prefill per joining request, on the prefill"
                + " thread; busy: each thread's share of the row's time; cascaded: row-steps attending the template"
                + " head apart)");
        loads.stream().filter(l -> l.connections() == 1).findFirst().ifPresent(l -> out.printf(Locale.ROOT,
                "wrk, 1 connection: p50 %.2f ms minus the same requests' own generation p50 %.2f ms = %.2f ms endpoint"
                        + " overhead%n", l.p50Ms(), l.generationP50Ms(), l.p50Ms() - l.generationP50Ms()));
        out.printf(Locale.ROOT, "one request at a time: generation p50 %.2f ms, at the client p50 %.2f ms; endpoint"
                + " overhead (p50 of each request's client time minus its own generation time) %.2f ms%n", paired[0],
                paired[1], paired[2]);
    }
}

package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.deepretrieval.environments.prompt.PromptTemplate;
import dev.deepretrieval.http.CheckpointSwapper;
import dev.deepretrieval.http.RewriteHttpServer;
import dev.deepretrieval.http.RewriteService;
import dev.deepretrieval.http.ServeSettings;
import dev.deepretrieval.http.ServedPolicy;
import dev.deepretrieval.policy.PolicyLoader;
import dev.deepretrieval.policy.generation.SamplingSettings;
import dev.deepretrieval.rewriter.QueryRewriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Load on {@code POST /v1/rewrite} with wrk on loopback (requests/s, p50 and p99 at each connection count), and the
 * endpoint's overhead: wrk's p50 on one connection minus the p50 of the same greedy rewrite in process, measured in
 * alternating blocks.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Requests/s and p50/p99 latency of POST /v1/rewrite under wrk (Debian package wrk) at each of"
                + " deepretrieval.bench.serve.connections, and the endpoint's p50 overhead over in-process generation.",
        footer = ExitCode.HELP_FOOTER)
final class BenchServeCommand implements Callable<Integer> {

    private static final String PREFIX = "deepretrieval.bench.serve.";
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--json", description = "Print the figures as one JSON object on the last line of stdout.")
    boolean json;

    /** One wrk run's figures. */
    private record Load(int connections, double requestsPerSecond, double p50Ms, double p99Ms, long non2xx, long errors) {}

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
        int repetitions = settings.positiveInt(PREFIX + "in-process-per-block");
        int blocks = settings.positiveInt(PREFIX + "overhead-blocks");
        ServeSettings base = ServeCommand.serveSettings(settings);
        int most = connections.stream().mapToInt(Integer::intValue).max().orElse(1);
        // the load comes from one address: no rate limit, and a queue that holds every connection's request
        var serve = new ServeSettings(base.modelName(), task, base.maxConcurrent(), Math.max(base.maxQueued(), most),
                base.maxBodyBytes(), base.maxQueryChars(), base.defaultMaxTokens(), base.maxTokensLimit(), Optional.empty(),
                false, 1e9, 1_000_000);
        Path model = settings.path("deepretrieval.serve.model");
        String device = settings.text("deepretrieval.policy.device");
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "deepretrieval-bench-serve",
                settings.raw().withFallback(ConfigFactory.defaultReference()).resolve());
        Path script = Files.createTempFile("deepretrieval-wrk", ".lua");
        try (ServedPolicy served = new ServedPolicy(PolicyLoader.load(model, Optional.empty(), PolicyLoader.device(device)),
                        CheckpointSwapper.versionOf(model));
                RewriteService service = new RewriteService(served, serve)) {
            ServerBinding binding = RewriteHttpServer.start(system, "127.0.0.1", 0, service, serve,
                    new CheckpointSwapper(served, model, device), Optional.empty()).toCompletableFuture().get();
            String body = Json.line(Json.object().put("query", query).put("task", task).put("max_tokens", maxTokens));
            Files.writeString(script, "wrk.method = \"POST\"\nwrk.body = '" + body.replace("'", "\\'") + "'\n"
                    + "wrk.headers[\"Content-Type\"] = \"application/json\"\n", StandardCharsets.UTF_8);
            String url = RewriteHttpServer.describe(binding) + "/v1/rewrite";
            err.printf(Locale.ROOT, "overhead: %d blocks of %d in-process rewrites then 2 s of wrk on one connection...%n",
                    blocks, repetitions);
            err.flush();
            double[] paired = pairedOverhead(service, script, url, query, task, maxTokens, blocks, repetitions);
            double inProcessP50 = paired[0];
            var loads = new ArrayList<Load>();
            for (int c : connections) {
                err.printf(Locale.ROOT, "wrk: %d connection(s) for %d s...%n", c, seconds);
                err.flush();
                loads.add(wrk(script, url, c, seconds));
                // requests wrk left behind when it closed its connections finish before the next row
                while (service.inFlight() > 0) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
            }
            binding.unbind().toCompletableFuture().get();
            print(out, paired, maxTokens, seconds, loads);
            if (json) {
                ObjectNode node = Json.object();
                node.put("in_process_p50_ms", paired[0]);
                node.put("wrk_paired_p50_ms", paired[1]);
                node.put("overhead_p50_ms", paired[2]);
                node.put("max_tokens", maxTokens);
                var rows = node.putArray("loads");
                for (Load load : loads) {
                    rows.addObject().put("connections", load.connections()).put("requests_per_second", load.requestsPerSecond())
                            .put("p50_ms", load.p50Ms()).put("p99_ms", load.p99Ms()).put("non_2xx", load.non2xx())
                            .put("socket_errors", load.errors());
                }
                loads.stream().filter(l -> l.connections() == 1).findFirst()
                        .ifPresent(l -> node.put("wrk_1_connection_p50_minus_in_process_ms", l.p50Ms() - inProcessP50));
                out.println(Json.line(node));
            }
            out.flush();
        } finally {
            Files.deleteIfExists(script);
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get();
        }
        return ExitCode.OK;
    }

    /**
     * The endpoint's overhead, paired in time: {@code blocks} times, {@code perBlock} greedy rewrites in process (the
     * service's generation, as the endpoint calls it), then wrk on one connection for two seconds. Returns {p50 in
     * process over all blocks, wrk's p50 over the blocks' medians, median over blocks of (wrk p50 − in-process p50)}
     * in ms; pairing block by block cancels the machine's drift.
     */
    private static double[] pairedOverhead(RewriteService service, Path script, String url, String query, String task,
            int maxTokens, int blocks, int perBlock) throws IOException, InterruptedException {
        PromptTemplate template = PromptTemplate.bundled(task);
        double[] local = new double[blocks * perBlock];
        double[] remote = new double[blocks];
        double[] differences = new double[blocks];
        for (int i = -2; i < 0; i++) {
            service.generate(query, template.render(query), template, SamplingSettings.greedy(maxTokens, Set.of()),
                    RewriteService.SILENT).join();
        }
        for (int b = 0; b < blocks; b++) {
            double[] block = new double[perBlock];
            for (int i = 0; i < perBlock; i++) {
                long start = System.nanoTime();
                service.generate(query, template.render(query), template, SamplingSettings.greedy(maxTokens, Set.of()),
                        RewriteService.SILENT).join();
                block[i] = (System.nanoTime() - start) / 1e6;
                local[b * perBlock + i] = block[i];
            }
            remote[b] = wrk(script, url, 1, 2).p50Ms();
            differences[b] = remote[b] - median(block);
        }
        return new double[] {median(local), median(remote), median(differences)};
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
        return new Load(connections, Double.parseDouble(rate.group(1)), p50, p99,
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, socketErrors);
    }

    private static void print(PrintWriter out, double[] paired, int maxTokens, int seconds, List<Load> loads) {
        out.printf(Locale.ROOT, "POST /v1/rewrite, greedy, up to %d new tokens, wrk %d s per row%n", maxTokens, seconds);
        out.printf(Locale.ROOT, "%-12s %12s %10s %10s %8s %8s%n", "connections", "requests/s", "p50 ms", "p99 ms", "non-2xx",
                "errors");
        for (Load load : loads) {
            out.printf(Locale.ROOT, "%-12d %12.2f %10.2f %10.2f %8d %8d%n", load.connections(), load.requestsPerSecond(),
                    load.p50Ms(), load.p99Ms(), load.non2xx(), load.errors());
        }
        out.printf(Locale.ROOT, "paired blocks: in-process p50 %.2f ms, wrk (1 connection) p50 %.2f ms; endpoint overhead"
                + " (median of the blocks' differences) %.2f ms%n", paired[0], paired[1], paired[2]);
    }
}

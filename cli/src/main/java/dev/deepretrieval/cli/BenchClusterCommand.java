package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.cluster.ClusterBenchmark;
import dev.deepretrieval.runs.StepTimings;
import dev.deepretrieval.tasks.Settings;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Steps/s of a short training run on a cluster of one node and of three, and the weight transfer over HTTP. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Steps/s of one short training run (BM25, the bundled policy) through the runs API of one node"
                + " generating in process (the baseline), of a cluster of one node with every role and of three nodes"
                + " (learner+http, rollout, env), each a JVM on 127.0.0.1, with the time per phase; and the newest"
                + " weight version fetched over HTTP (MB/s)."
                + " Settings: deepretrieval.bench.cluster.",
        footer = ExitCode.HELP_FOOTER)
final class BenchClusterCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--json", description = "Print the figures as one JSON object on the last line of stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Settings settings = new Settings(configOptions.load());
        PrintWriter err = spec.commandLine().getErr();
        ClusterBenchmark.Report report = new ClusterBenchmark(settings, settings.path("deepretrieval.home"), line -> {
            err.println(line);
            err.flush();
        }).run();
        PrintWriter out = spec.commandLine().getOut();
        out.println("cluster: steps measured after the first, seconds per step = the sum of the phases' means");
        out.printf(Locale.ROOT, "%-31s %6s %9s %9s %9s %9s %9s %9s%n", "cluster", "steps", "steps/s", "s/step",
                "generate", "reward", "learn", "publish");
        for (ClusterBenchmark.Layout layout : layouts(report)) {
            StepTimings t = layout.timings();
            Map<String, Double> p = t.phases();
            out.printf(Locale.ROOT, "%-31s %6d %9.4f %9.2f %9.2f %9.2f %9.2f %9.2f%n", layout.name(), t.steps(),
                    t.stepsPerSecond(), t.secondsPerStep(), p.get("generate"), p.get("reward"), p.get("learn"),
                    p.get("swap"));
        }
        out.printf(Locale.ROOT, "1 node on the cluster path vs in process: %.2fx the steps/s; 3 nodes vs 1: %.2fx;"
                + " weights: %.1f MB per version, %.1f MB/s over HTTP (median)%n",
                report.one().timings().stepsPerSecond() / report.local().timings().stepsPerSecond(),
                report.three().timings().stepsPerSecond() / report.one().timings().stepsPerSecond(),
                report.weights().megabytes(), report.weights().megabytesPerSecond());
        if (json) {
            ObjectNode node = Json.object();
            String[] keys = {"local", "nodes_1", "nodes_3"};
            List<ClusterBenchmark.Layout> layouts = layouts(report);
            for (int i = 0; i < keys.length; i++) {
                node.put(keys[i] + "_steps_per_second", layouts.get(i).timings().stepsPerSecond());
            }
            node.put("weights_mb_per_second", report.weights().megabytesPerSecond());
            node.put("weights_mb", report.weights().megabytes());
            for (int i = 0; i < keys.length; i++) {
                String key = keys[i];
                layouts.get(i).timings().phases().forEach((phase, seconds) -> node.put(key + "_seconds_" + phase,
                        seconds));
            }
            out.println(Json.line(node));
        }
        out.flush();
        return ExitCode.OK;
    }

    private static List<ClusterBenchmark.Layout> layouts(ClusterBenchmark.Report report) {
        return List.of(report.local(), report.one(), report.three());
    }
}

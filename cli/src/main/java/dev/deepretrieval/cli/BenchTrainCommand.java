package dev.deepretrieval.cli;

import dev.deepretrieval.runs.*;
import dev.deepretrieval.tasks.*;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.AtomicFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Steps per second of the default training run and where each step's time goes (generate, reward, learn, weight
 * swap), from a short run of {@code train} in a temporary folder; the first step (warm-up) is left out.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Steps/s of the default training run and the time split per phase (generate, reward, learn,"
                + " swap), from a short run of train (deepretrieval.bench.train.steps steps, the first left out).",
        footer = ExitCode.HELP_FOOTER)
final class BenchTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--json", description = "Print the figures as one JSON object on the last line of stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Settings settings = new Settings(configOptions.load());
        int steps = settings.positiveInt("deepretrieval.bench.train.steps");
        if (steps < 2) {
            throw settings.bad("deepretrieval.bench.train.steps", "needs at least 2 steps (the first is warm-up)");
        }
        Path folder = Files.createTempDirectory("deepretrieval-bench-train");
        PrintWriter out = spec.commandLine().getOut();
        try {
            var args = new java.util.ArrayList<>(List.of("train", "--steps", String.valueOf(steps), "--out",
                    folder.resolve("run").toString(), "--skip-heldout"));
            if (configOptions.configFile != null) {
                args.addAll(List.of("--config", configOptions.configFile.toString()));
            }
            long start = System.nanoTime();
            int code = new CommandLine(new Main()).setOut(new PrintWriter(new StringWriter()))
                    .setErr(spec.commandLine().getErr()).execute(args.toArray(String[]::new));
            double wall = (System.nanoTime() - start) / 1e9;
            if (code != ExitCode.OK) {
                return code;
            }
            StepTimings timings = StepTimings.read(folder.resolve("run").resolve("metrics.jsonl"));
            double total = timings.secondsPerStep();
            out.printf(Locale.ROOT, "train: %d steps (first left out) of the default run in %.1f s wall (setup included)%n",
                    steps, wall);
            out.printf(Locale.ROOT, "steps/s (sum of phases)  %.4f  (%.2f s per step)%n", 1 / total, total);
            for (Map.Entry<String, Double> phase : timings.phases().entrySet()) {
                out.printf(Locale.ROOT, "  %-9s %7.3f s  %5.1f%%%n", phase.getKey(), phase.getValue(),
                        100 * phase.getValue() / total);
            }
            if (json) {
                ObjectNode node = Json.object();
                node.put("steps_measured", timings.steps());
                node.put("steps_per_s", 1 / total);
                node.put("seconds_per_step", total);
                timings.phases().forEach((k, v) -> node.put("seconds_" + k, v));
                node.put("wall_seconds", wall);
                out.println(Json.line(node));
            }
            out.flush();
            return ExitCode.OK;
        } finally {
            AtomicFiles.deleteTree(folder);
        }
    }
}

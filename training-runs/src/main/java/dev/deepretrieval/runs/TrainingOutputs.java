package dev.deepretrieval.runs;

import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.tasks.HeldOutEvaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.streams.StepReport;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The files a training run leaves in its folder: {@code metrics.jsonl} (a line per step, and a line per validation
 * with {@code val/<metric>} keys, as verl logs them), {@code reward.png}, {@code report.html} and
 * {@code summary.json}. Step and validation lines may come from different threads.
 */
public final class TrainingOutputs implements AutoCloseable {

    private final Path folder;
    private final MetricsLog metrics;

    public TrainingOutputs(Path folder, long resumedStep) throws IOException {
        this.folder = folder;
        this.metrics = MetricsLog.open(folder.resolve("metrics.jsonl"), resumedStep);
    }

    public synchronized void step(StepReport report) {
        metrics.write(line(report));
    }

    /** A validation of the policy after {@code step} steps (0: the initial policy) as one line. */
    public synchronized void validation(long step, HeldOutEvaluation.Result result) {
        metrics.write(validationLine(step, result));
    }

    public static ObjectNode validationLine(long step, HeldOutEvaluation.Result result) {
        ObjectNode line = JsonMapping.mapper().createObjectNode();
        line.put("step", step);
        result.metrics().forEach((name, value) -> line.put(VALIDATION_PREFIX + name, value));
        result.formatValidRate().ifPresent(rate -> line.put(VALIDATION_PREFIX + "format_valid_rate", rate));
        line.put(VALIDATION_PREFIX + "queries", result.queries());
        return line;
    }

    static final String VALIDATION_PREFIX = "val/";

    /** Whether a metrics line is a step's (not a validation's). */
    public static boolean isStepLine(JsonNode line) {
        return line.has("reward_mean");
    }

    /** A step as one {@code metrics.jsonl} line. */
    public static ObjectNode line(StepReport report) {
        ObjectNode line = JsonMapping.mapper().createObjectNode();
        line.put("step", report.step());
        line.put("reward_mean", report.rewardMean());
        line.put("reward_stderr", report.rewardStdErr());
        line.put("metric_mean", report.metricMean());
        line.put("format_valid_rate", report.formatValidRate());
        line.put("policy_version", report.policyVersion());
        line.put("rollout_policy_version", report.rolloutVersion());
        // the versions in use: several when a cluster's rollout workers were still on an older one
        var versions = line.putArray("rollout_versions");
        report.rolloutVersions().forEach(versions::add);
        line.put("scored", report.scored());
        line.put("failed", report.failed());
        report.metrics().forEach(line::put);
        return line;
    }

    /** Reward and metric per step, and the validation metric, from everything {@code metrics.jsonl} holds. */
    public synchronized void writeChart(String metricName) throws IOException {
        var reward = new ArrayList<double[]>();
        var metric = new ArrayList<double[]>();
        var valid = new ArrayList<double[]>();
        var validation = new ArrayList<double[]>();
        for (JsonNode line : MetricsLog.read(folder.resolve("metrics.jsonl"))) {
            double step = line.path("step").asDouble();
            if (!isStepLine(line)) {
                if (line.has(VALIDATION_PREFIX + metricName)) {
                    validation.add(new double[] {step, line.path(VALIDATION_PREFIX + metricName).asDouble()});
                }
                continue;
            }
            reward.add(new double[] {step, line.path("reward_mean").asDouble()});
            metric.add(new double[] {step, line.path("metric_mean").asDouble()});
            valid.add(new double[] {step, line.path("format_valid_rate").asDouble()});
        }
        new LineChart("training reward and " + metricName, "value")
                .add(new LineChart.Series("reward (mean)", new Color(31, 119, 180), reward))
                .add(new LineChart.Series(metricName + " (mean)", new Color(44, 160, 44), metric))
                .add(new LineChart.Series("format valid rate", new Color(255, 127, 14), valid))
                .add(new LineChart.Series("validation " + metricName + " (greedy)", new Color(214, 39, 40), validation))
                .write(folder.resolve("reward.png"));
    }

    /** A self-contained HTML page: the summary, the chart, and the per-step table. */
    public static void writeReport(Path folder, ObjectNode summary) throws IOException {
        var rows = new StringBuilder();
        var validations = new StringBuilder();
        for (JsonNode line : MetricsLog.read(folder.resolve("metrics.jsonl"))) {
            if (!isStepLine(line)) {
                var cells = new StringBuilder("<tr><td>" + line.path("step").asLong() + "</td>");
                line.fields().forEachRemaining(field -> {
                    if (!field.getKey().equals("step")) {
                        cells.append("<td>").append(escape(field.getKey())).append(String.format(Locale.ROOT, " %.4f",
                                field.getValue().asDouble())).append("</td>");
                    }
                });
                validations.append(cells).append("</tr>\n");
                continue;
            }
            rows.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.3f</td><td>%d</td><td>%d</td></tr>%n",
                    line.path("step").asLong(), line.path("reward_mean").asDouble(), line.path("metric_mean").asDouble(),
                    line.path("format_valid_rate").asDouble(), line.path("policy_version").asLong(),
                    line.path("failed").asLong()));
        }
        String html = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>DeepRetrieval training run</title>"
                + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
                + "padding:2px 8px;text-align:right}pre{background:#f6f6f6;padding:1em}</style></head><body>\n"
                + "<h1>DeepRetrieval training run</h1>\n<h2>Summary</h2>\n<pre>" + escape(summary.toPrettyString())
                + "</pre>\n" + significanceTable(summary)
                + "<h2>Reward and metric</h2>\n<img src=\"reward.png\" alt=\"reward and metric per step\">\n"
                + "<h2>Validation (greedy, during training)</h2>\n<table>" + validations + "</table>\n"
                + "<h2>Steps</h2>\n<table><tr><th>step</th><th>reward</th><th>metric</th><th>format valid</th>"
                + "<th>policy version</th><th>failed</th></tr>\n" + rows + "</table>\n</body></html>\n";
        AtomicFiles.writeString(folder.resolve("report.html"), html);
    }

    /** The validation lines of {@code metrics.jsonl}: first, best and last, by step. */
    public static ObjectNode validationSummary(Path folder) {
        ObjectNode node = JsonMapping.mapper().createObjectNode();
        var lines = new ArrayList<JsonNode>();
        try {
            for (JsonNode line : MetricsLog.read(folder.resolve("metrics.jsonl"))) {
                if (!isStepLine(line)) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path original = folder.resolve(RunValidation.ORIGINAL_FILE);
        if (Files.isRegularFile(original)) {
            try {
                node.set("original", JsonMapping.mapper().readTree(original.toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        var steps = node.putArray("steps");
        lines.forEach(steps::add);
        return node;
    }

    /** Mean reward of the first and last fifth of the steps, with standard errors, from {@code metrics.jsonl}. */
    public static ObjectNode learningSignal(Path folder) {
        List<Double> rewards = new ArrayList<>();
        try {
            for (JsonNode line : MetricsLog.read(folder.resolve("metrics.jsonl"))) {
                if (isStepLine(line)) {
                    rewards.add(line.path("reward_mean").asDouble());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode node = JsonMapping.mapper().createObjectNode();
        int fifth = Math.max(1, rewards.size() / 5);
        if (rewards.size() < 2) {
            return node;
        }
        double[] first = stats(rewards.subList(0, fifth));
        double[] last = stats(rewards.subList(rewards.size() - fifth, rewards.size()));
        node.put("steps_per_fifth", fifth);
        node.put("first_fifth_reward_mean", first[0]);
        node.put("first_fifth_reward_stderr", first[1]);
        node.put("last_fifth_reward_mean", last[0]);
        node.put("last_fifth_reward_stderr", last[1]);
        double difference = last[0] - first[0];
        double stderr = Math.sqrt(first[1] * first[1] + last[1] * last[1]);
        node.put("difference", difference);
        node.put("difference_stderr", stderr);
        node.put("exceeds_two_stderr", difference > 2 * stderr);
        return node;
    }

    private static double[] stats(List<Double> values) {
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double variance = values.size() < 2 ? 0
                : values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / (values.size() - 1);
        return new double[] {mean, Math.sqrt(variance / values.size())};
    }

    /** The held-out significance tests as a table (none when the summary has none). */
    private static String significanceTable(ObjectNode summary) {
        JsonNode significance = summary.path("significance");
        if (!significance.isObject()) {
            return "";
        }
        var html = new StringBuilder("<h2>Paired significance (" + escape(significance.path("metric").asText())
                + ", " + significance.path("queries").asInt() + " queries)</h2>\n<table><tr><th>comparison</th>"
                + "<th>mean difference</th><th>t</th><th>t-test p</th><th>randomization p</th></tr>\n");
        significance.path("pairs").fields().forEachRemaining(pair -> html.append(String.format(Locale.ROOT,
                "<tr><td>%s</td><td>%+.4f</td><td>%.3f</td><td>%.4g</td><td>%.4g</td></tr>%n", escape(pair.getKey()),
                pair.getValue().path("mean_difference").asDouble(), pair.getValue().path("t").asDouble(),
                pair.getValue().path("t_test_p").asDouble(), pair.getValue().path("randomization_p").asDouble())));
        return html.append("</table>\n").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public void close() throws IOException {
        metrics.close();
    }
}

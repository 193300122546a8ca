package dev.deepretrieval.cli;

import dev.deepretrieval.runs.*;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.policy.lm.LmTrainer;
import dev.deepretrieval.policy.lm.SupervisedExample;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * What a supervised run (pretrain, cold start) shows and leaves behind: the progress bar, {@code metrics.jsonl}
 * (a line per step with loss, perplexity, learning rate, gradient norm and tokens/s; eval lines with the held-out
 * loss and perplexity) and the {@code loss.png} chart.
 */
final class LmRunOutput implements LmTrainer.Listener, AutoCloseable {

    private final Path folder;
    private final String title;
    private final MetricsLog metrics;
    private final ProgressBar progress;
    private long windowTokens;
    private long windowStart = System.nanoTime();
    private double lastHeldOut = Double.NaN;

    LmRunOutput(Path folder, String title, PrintWriter err, int startStep, int totalSteps) throws IOException {
        this.folder = folder;
        this.title = title;
        this.metrics = MetricsLog.open(folder.resolve("metrics.jsonl"), startStep);
        this.progress = new ProgressBar(err, startStep, totalSteps);
    }

    @Override
    public void onStep(LmTrainer.StepReport report) {
        windowTokens += report.targetTokens();
        double seconds = (System.nanoTime() - windowStart) / 1e9;
        double tokensPerSecond = windowTokens / Math.max(seconds, 1e-9);
        if (seconds > 30) {
            windowTokens = 0;
            windowStart = System.nanoTime();
        }
        ObjectNode line = Json.object();
        line.put("step", report.step());
        line.put("epoch", report.epoch());
        line.put("loss", report.loss());
        line.put("perplexity", Math.exp(report.loss()));
        line.put("lr", report.learningRate());
        line.put("grad_norm", report.gradNorm());
        line.put("tokens", report.targetTokens());
        line.put("tokens_per_s", tokensPerSecond);
        metrics.write(line);
        progress.update(report.step(), String.format(Locale.ROOT, "loss %.3f (ppl %.1f)%s · %,.0f tok/s",
                report.loss(), Math.exp(report.loss()),
                Double.isNaN(lastHeldOut) ? "" : String.format(Locale.ROOT, " held-out ppl %.1f", Math.exp(lastHeldOut)),
                tokensPerSecond));
    }

    @Override
    public void onEval(LmTrainer.EvalReport report) {
        lastHeldOut = report.loss();
        ObjectNode line = Json.object();
        line.put("step", report.step());
        line.put("heldout_loss", report.loss());
        line.put("heldout_perplexity", report.perplexity());
        metrics.write(line);
    }

    @Override
    public void onCheckpoint(int step) {
        try {
            writeChart();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write loss.png", e);
        }
    }

    /** Loss per step and held-out loss, from everything {@code metrics.jsonl} holds (a resumed run included). */
    void writeChart() throws IOException {
        var train = new ArrayList<double[]>();
        var heldOut = new ArrayList<double[]>();
        for (JsonNode line : MetricsLog.read(folder.resolve("metrics.jsonl"))) {
            if (line.has("loss")) {
                train.add(new double[] {line.get("step").asDouble(), line.get("loss").asDouble()});
            }
            if (line.has("heldout_loss")) {
                heldOut.add(new double[] {line.get("step").asDouble(), line.get("heldout_loss").asDouble()});
            }
        }
        new LineChart(title, "loss (nats/token)")
                .add(new LineChart.Series("train loss", new Color(31, 119, 180), train))
                .add(new LineChart.Series("held-out loss", new Color(214, 39, 40), heldOut))
                .write(folder.resolve("loss.png"));
    }

    double lastHeldOutLoss() {
        return lastHeldOut;
    }

    /**
     * Runs {@code trainer} to the end with this output (progress, metrics, chart) and a graceful-stop hook.
     *
     * @return the held-out loss at the end, or empty when Ctrl-C/SIGTERM stopped the run (a checkpoint was written
     *     and the reason printed)
     */
    static OptionalDouble runToEnd(LmTrainer trainer, List<SupervisedExample> train,
            List<SupervisedExample> heldOut, Path folder, String title, PrintWriter err)
            throws IOException {
        int startStep = trainer.restoreLatest();
        int total = trainer.totalSteps(train.size());
        if (startStep > 0) {
            err.printf(Locale.ROOT, "resuming at step %d of %d%n", startStep, total);
        }
        StopSignal stop = StopSignal.install(err);
        int reached;
        double heldOutLoss;
        try (LmRunOutput output = new LmRunOutput(folder, title, err, startStep, total)) {
            reached = trainer.run(train, heldOut, output, stop::requested);
            output.writeChart();
            heldOutLoss = output.lastHeldOutLoss();
            if (reached < total) {
                err.printf(Locale.ROOT, "stopped at step %d of %d with a checkpoint; continue with --resume%n", reached,
                        total);
                return OptionalDouble.empty();
            }
        } finally {
            stop.uninstall();
        }
        return OptionalDouble.of(Double.isNaN(heldOutLoss) ? trainer.heldOutLoss(heldOut) : heldOutLoss);
    }

    @Override
    public void close() throws IOException {
        metrics.close();
    }
}

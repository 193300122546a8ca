package dev.deepretrieval.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.lm.LmTrainer;
import dev.deepretrieval.policy.lm.SupervisedExample;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;

/**
 * What a supervised run (pretrain, cold start) leaves behind: {@code metrics.jsonl} (a line per step with loss,
 * perplexity, learning rate, gradient norm and tokens/s; eval lines with the held-out loss and perplexity) and the
 * {@code loss.png} chart; its {@link SupervisedListener} hears the steps as they go.
 */
final class LmRunRecorder implements LmTrainer.Listener, AutoCloseable {

    private final Path folder;
    private final String title;
    private final MetricsLog metrics;
    private final SupervisedListener listener;
    private long windowTokens;
    private long windowStart = System.nanoTime();
    private double lastHeldOut = Double.NaN;

    private LmRunRecorder(Path folder, String title, SupervisedListener listener, int startStep) throws IOException {
        this.folder = folder;
        this.title = title;
        this.listener = listener;
        this.metrics = MetricsLog.open(folder.resolve("metrics.jsonl"), startStep);
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
        ObjectNode line = JsonMapping.mapper().createObjectNode();
        line.put("step", report.step());
        line.put("epoch", report.epoch());
        line.put("loss", report.loss());
        line.put("perplexity", Math.exp(report.loss()));
        line.put("lr", report.learningRate());
        line.put("grad_norm", report.gradNorm());
        line.put("tokens", report.targetTokens());
        line.put("tokens_per_s", tokensPerSecond);
        metrics.write(line);
        listener.step(report, tokensPerSecond, lastHeldOut);
    }

    @Override
    public void onEval(LmTrainer.EvalReport report) {
        lastHeldOut = report.loss();
        ObjectNode line = JsonMapping.mapper().createObjectNode();
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
    private void writeChart() throws IOException {
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

    /**
     * Runs {@code trainer} to the end (or until {@code stop} asks, at a step boundary, after a checkpoint) with its
     * metrics and chart in {@code folder}.
     *
     * @return the held-out loss at the end, or empty when stopped early
     */
    static OptionalDouble runToEnd(LmTrainer trainer, List<SupervisedExample> train, List<SupervisedExample> heldOut,
            Path folder, String title, SupervisedListener listener, BooleanSupplier stop) throws IOException {
        int startStep = trainer.restoreLatest();
        int total = trainer.totalSteps(train.size());
        listener.started(startStep, total);
        double heldOutLoss;
        try (LmRunRecorder recorder = new LmRunRecorder(folder, title, listener, startStep)) {
            int reached = trainer.run(train, heldOut, recorder, stop);
            recorder.writeChart();
            heldOutLoss = recorder.lastHeldOut;
            if (reached < total) {
                listener.stopped(reached, total);
                return OptionalDouble.empty();
            }
        }
        return OptionalDouble.of(Double.isNaN(heldOutLoss) ? trainer.heldOutLoss(heldOut) : heldOutLoss);
    }

    @Override
    public void close() throws IOException {
        metrics.close();
    }
}

package dev.deepretrieval.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a run's steps spent their time, from its {@code metrics.jsonl}: each phase's mean of the steps' own
 * {@code timing_s/*} over every step but the first (warm-up), and their sum, the seconds per step.
 *
 * @param steps the steps measured
 * @param phases each phase's mean seconds, in {@link #PHASES} order
 */
public record StepTimings(int steps, Map<String, Double> phases) {

    /** The phases of a step, as {@code metrics.jsonl} names them after {@code timing_s/}. */
    public static final List<String> PHASES = List.of("generate", "reward", "learn", "swap");

    public StepTimings {
        phases = Collections.unmodifiableMap(new LinkedHashMap<>(phases));
    }

    /**
     * The timings of the steps in {@code metrics}, the first left out.
     *
     * @throws IOException when the file cannot be read or holds fewer than two steps
     */
    public static StepTimings read(Path metrics) throws IOException {
        List<JsonNode> lines = MetricsLog.read(metrics).stream().filter(TrainingOutputs::isStepLine).toList();
        if (lines.size() < 2) {
            throw new IOException(metrics + " holds " + lines.size() + " steps; timings need two (the first is"
                    + " warm-up)");
        }
        List<JsonNode> measured = lines.subList(1, lines.size());
        var phases = new LinkedHashMap<String, Double>();
        for (String phase : PHASES) {
            phases.put(phase, measured.stream().mapToDouble(l -> l.path("timing_s/" + phase).asDouble()).average()
                    .orElse(0));
        }
        return new StepTimings(measured.size(), phases);
    }

    /** The seconds per step: the sum of the phases' means. */
    public double secondsPerStep() {
        return phases.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    public double stepsPerSecond() {
        return 1 / secondsPerStep();
    }
}

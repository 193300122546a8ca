package dev.deepretrieval.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run store on the embedded H2 file and on the local PostgreSQL: steps upserted, rollouts stored. */
class RunStoreTest {

    private static StepReport step(long step, double reward) {
        return new StepReport(step, step - 1, step, reward, 0.01, reward / 2, 0.75, 4, 1, Map.of("actor/pg_loss", 0.5),
                List.of(new StepReport.SampleRecord("q1", "original claim", "<answer>{\"query\": \"x\"}</answer>", "x",
                        reward, reward / 2, step - 1), new StepReport.SampleRecord("q2", "another", "garbage", null,
                        -2, 0, step - 1)));
    }

    private static void exercise(RunStore store) {
        String run = "run-" + UUID.randomUUID();
        store.saveRun(run, "running", Map.of("task", "scifact", "steps", 3));
        store.saveStep(run, step(1, 0.25));
        store.saveStep(run, step(2, 0.5));
        store.saveStep(run, step(2, 0.75)); // a resumed run repeating step 2 replaces it
        store.saveRun(run, "completed", Map.of("task", "scifact", "steps", 3));
        List<double[]> steps = store.steps(run);
        assertEquals(2, steps.size());
        assertArrayEquals(new double[] {1, 0.25, 0.125, 0.75, 1}, steps.get(0), 1e-12);
        assertArrayEquals(new double[] {2, 0.75, 0.375, 0.75, 2}, steps.get(1), 1e-12);
        assertEquals(4, store.rolloutCount(run));
        assertEquals(0, store.steps("run-unknown").size());
    }

    @Test
    void embeddedH2File(@TempDir Path dir) {
        try (RunStore store = RunStore.embedded(dir.resolve("runs"))) {
            exercise(store);
        }
        try (RunStore reopened = RunStore.embedded(dir.resolve("runs"))) {
            assertEquals(0, reopened.steps("run-unknown").size(), "the tables survive a reopen");
        }
    }

    @Test
    void localPostgreSql() {
        try (RunStore store = RunStore.of("r2dbc:postgresql://postgres@127.0.0.1:5432/test")) {
            exercise(store);
        }
    }
}

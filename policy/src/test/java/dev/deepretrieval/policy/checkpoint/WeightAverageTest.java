package dev.deepretrieval.policy.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deepretrieval.policy.PolicyLoadException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Latest weight averaging: the newest kept checkpoints up to a step, averaged element by element. */
class WeightAverageTest {

    @Test
    void averagesTheNewestCheckpointsUpToAStep(@TempDir Path dir) throws Exception {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            var store = new CheckpointStore(dir, 3);
            for (int step = 10; step <= 40; step += 10) { // retention keeps 20, 30 and 40
                write(store, manager, step, new float[] {step, -step, 1}, new float[] {step / 10f});
            }
            List<Checkpoint> upTo30 = store.validUpTo(30, 3);
            assertEquals(List.of(30L, 20L), upTo30.stream().map(Checkpoint::step).toList());

            WeightAverage average = WeightAverage.of(store.validUpTo(40, 2), "actor");
            assertEquals(List.of(40L, 30L), average.steps());
            assertArrayEquals(new float[] {35, -35, 1}, average.values().get("w"));
            assertArrayEquals(new float[] {3.5f}, average.values().get("b"));

            NDArray w = manager.zeros(new Shape(3));
            NDArray b = manager.zeros(new Shape(1));
            average.restore(Map.of("w", w, "b", b));
            assertArrayEquals(new float[] {35, -35, 1}, w.toFloatArray());
            assertArrayEquals(new float[] {3.5f}, b.toFloatArray());

            NDArray wrongSize = manager.zeros(new Shape(4));
            var e = assertThrows(PolicyLoadException.class, () -> average.restore(Map.of("w", wrongSize)));
            assertEquals("the averaged checkpoints [40, 30] have no tensor w of 4 values", e.getMessage());
        }
    }

    @Test
    void refusesCheckpointsOfDifferentShapes(@TempDir Path dir) throws Exception {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            var store = new CheckpointStore(dir, 3);
            write(store, manager, 10, new float[] {1, 2, 3}, new float[] {1});
            write(store, manager, 20, new float[] {1, 2}, new float[] {1});
            var e = assertThrows(PolicyLoadException.class, () -> WeightAverage.of(store.validUpTo(20, 2), "actor"));
            assertEquals(store.validAt(10).orElseThrow().directory() + ": tensor w has shape [3], "
                    + store.validAt(20).orElseThrow().directory() + " [2]", e.getMessage());
        }
    }

    private static void write(CheckpointStore store, NDManager manager, long step, float[] w, float[] b)
            throws Exception {
        var state = new ObjectMapper().createObjectNode();
        state.put("step", step);
        store.write(step, Map.of("actor", Map.of("w", manager.create(w), "b", manager.create(b))), state);
    }
}

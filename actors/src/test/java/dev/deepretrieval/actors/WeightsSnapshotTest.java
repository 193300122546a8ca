package dev.deepretrieval.actors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.deepretrieval.policy.weights.SafetensorsWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot written as a safetensors file (a published weight version) reads back the same, shapes included. */
class WeightsSnapshotTest {

    @Test
    void aSnapshotWrittenAsSafetensorsReadsBackExactly(@TempDir Path dir) throws Exception {
        var snapshot = new WeightsSnapshot(7, Map.of("a.weight", new float[] {1.5f, -2f, 0.25f, 3f, 4f, -0.125f},
                "a.bias", new float[] {0.5f, -1f}), Map.of("a.weight", new long[] {2, 3}, "a.bias", new long[] {2}));
        Path file = dir.resolve("actor.safetensors");
        SafetensorsWriter.write(file, snapshot.toTensors());

        WeightsSnapshot read = WeightsSnapshot.read(9, file);
        assertEquals(9, read.version());
        assertEquals(snapshot.tensors().keySet(), read.tensors().keySet());
        for (String name : snapshot.tensors().keySet()) {
            assertArrayEquals(snapshot.tensors().get(name), read.tensors().get(name), name);
            assertArrayEquals(snapshot.shapes().get(name), read.shapes().get(name), name);
        }
    }

    @Test
    void everyTensorNeedsAShape() {
        assertThrows(IllegalArgumentException.class, () -> new WeightsSnapshot(1,
                Map.of("a", new float[] {1f}), Map.of("b", new long[] {1})));
    }
}

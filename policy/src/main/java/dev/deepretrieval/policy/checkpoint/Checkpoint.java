package dev.deepretrieval.policy.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.policy.PolicyLoadException;
import dev.deepretrieval.policy.weights.SafetensorsFile;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A verified checkpoint on disk.
 *
 * @param skipped newer checkpoints that failed verification, each with its reason
 */
public record Checkpoint(Path directory, long step, ObjectNode state, List<String> skipped) {

    /** A file of the checkpoint as its manifest records it: its path, SHA-256 (lower-case hex) and size in bytes. */
    public record FileDigest(Path path, String sha256, long size) {}

    /** Its manifest's record of tensor group {@code group} (the file {@code <group>.safetensors}). */
    public Optional<FileDigest> digest(String group) throws IOException {
        return CheckpointStore.recordedIn(directory, group);
    }

    /**
     * Copies a tensor group into existing arrays of the same names and shapes (parameters keep their identity, so
     * optimizers and gradients stay attached); a missing or mis-shaped tensor fails naming it.
     */
    public void restore(String group, Map<String, NDArray> into) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (SafetensorsFile file = CheckpointStore.open(directory, group)) {
            for (var entry : into.entrySet()) {
                if (!file.names().contains(entry.getKey())) {
                    throw new PolicyLoadException(directory + ": group " + group + " has no tensor " + entry.getKey());
                }
                long[] stored = file.shape(entry.getKey());
                long[] expected = entry.getValue().getShape().getShape();
                if (!Arrays.equals(stored, expected)) {
                    throw new PolicyLoadException(directory + ": tensor " + entry.getKey() + " has shape "
                            + Arrays.toString(stored) + ", expected " + Arrays.toString(expected));
                }
                FloatBuffer values = file.floats(entry.getKey());
                entry.getValue().set(values);
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }
}

package dev.deepretrieval.actors;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.deepretrieval.policy.weights.SafetensorsFile;
import dev.deepretrieval.policy.weights.SafetensorsWriter;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The learner's policy weights at one version, copied out of native memory so that they can cross to the policy
 * actor (and, written as a file, to a cluster's rollout workers) without sharing NDArrays between owners.
 *
 * @param tensors each parameter's values, by name
 * @param shapes each parameter's shape, by the same names
 */
public record WeightsSnapshot(long version, Map<String, float[]> tensors, Map<String, long[]> shapes) {

    public WeightsSnapshot {
        tensors = Map.copyOf(tensors);
        shapes = Map.copyOf(shapes);
        if (!tensors.keySet().equals(shapes.keySet())) {
            throw new IllegalArgumentException("every tensor needs a shape: " + tensors.size() + " tensors, "
                    + shapes.size() + " shapes");
        }
    }

    public static WeightsSnapshot of(long version, Map<String, NDArray> parameters) {
        var copies = new LinkedHashMap<String, float[]>();
        var shapes = new LinkedHashMap<String, long[]>();
        parameters.forEach((name, array) -> {
            copies.put(name, array.toFloatArray());
            shapes.put(name, array.getShape().getShape());
        });
        return new WeightsSnapshot(version, copies, shapes);
    }

    /** The weights of version {@code version} as a safetensors file holds them (every tensor it has, F32 or widened). */
    public static WeightsSnapshot read(long version, Path safetensors) {
        var copies = new LinkedHashMap<String, float[]>();
        var shapes = new LinkedHashMap<String, long[]>();
        try (SafetensorsFile file = SafetensorsFile.open(safetensors)) {
            for (String name : file.names()) {
                FloatBuffer values = file.floats(name);
                float[] copy = new float[values.remaining()];
                values.get(copy);
                copies.put(name, copy);
                shapes.put(name, file.shape(name));
            }
        }
        return new WeightsSnapshot(version, copies, shapes);
    }

    /** The tensors as a safetensors file stores them. */
    public Map<String, SafetensorsWriter.Tensor> toTensors() {
        var stored = new LinkedHashMap<String, SafetensorsWriter.Tensor>();
        tensors.forEach((name, values) -> stored.put(name, new SafetensorsWriter.Tensor(shapes.get(name), values)));
        return stored;
    }

    /** Copies the snapshot into live arrays of the same names and sizes. */
    public void copyInto(Map<String, NDArray> parameters) {
        if (!parameters.keySet().equals(tensors.keySet())) {
            throw new IllegalArgumentException("snapshot tensors " + tensors.keySet().size()
                    + " do not match the model's " + parameters.keySet().size());
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            parameters.forEach((name, array) -> array.set(tensors.get(name)));
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }
}

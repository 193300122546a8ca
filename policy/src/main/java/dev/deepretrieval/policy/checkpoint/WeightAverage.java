package dev.deepretrieval.policy.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.deepretrieval.policy.PolicyLoadException;
import dev.deepretrieval.policy.weights.SafetensorsFile;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The element-wise mean of one tensor group over several checkpoints of a run: latest weight averaging (Kaddour, 2022,
 * "Stop wasting my time! Saving days of ImageNet and BERT training with latest weight averaging"), which smooths
 * the step-to-step noise of the newest weights.
 *
 * @param steps the checkpoints' steps, in the order given
 * @param values each tensor's mean, flat, by name
 */
public record WeightAverage(List<Long> steps, Map<String, float[]> values) {

    /** Reads {@code group} from every checkpoint (all must hold the same tensors, shapes included) and averages it. */
    public static WeightAverage of(List<Checkpoint> checkpoints, String group) {
        if (checkpoints.isEmpty()) {
            throw new IllegalArgumentException("no checkpoints to average");
        }
        Map<String, float[]> sums = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Checkpoint checkpoint : checkpoints) {
            try (SafetensorsFile file = CheckpointStore.open(checkpoint.directory(), group)) {
                if (!sums.isEmpty() && !file.names().equals(sums.keySet())) {
                    throw new PolicyLoadException(checkpoint.directory() + ": group " + group
                            + " holds other tensors than " + checkpoints.get(0).directory());
                }
                for (String name : file.names()) {
                    long[] shape = file.shape(name);
                    long[] first = shapes.putIfAbsent(name, shape);
                    if (first != null && !Arrays.equals(first, shape)) {
                        throw new PolicyLoadException(checkpoint.directory() + ": tensor " + name + " has shape "
                                + Arrays.toString(shape) + ", " + checkpoints.get(0).directory() + " "
                                + Arrays.toString(first));
                    }
                    FloatBuffer read = file.floats(name);
                    float[] sum = sums.computeIfAbsent(name, n -> new float[read.remaining()]);
                    int start = read.position();
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += read.get(start + i);
                    }
                }
            }
        }
        float scale = 1f / checkpoints.size();
        for (float[] sum : sums.values()) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] *= scale;
            }
        }
        return new WeightAverage(checkpoints.stream().map(Checkpoint::step).toList(), sums);
    }

    /** Copies the means into existing arrays of the same names and sizes (parameters keep their identity). */
    public void restore(Map<String, NDArray> into) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (var entry : into.entrySet()) {
                float[] mean = values.get(entry.getKey());
                if (mean == null || mean.length != entry.getValue().size()) {
                    throw new PolicyLoadException("the averaged checkpoints " + steps + " have no tensor "
                            + entry.getKey() + " of " + entry.getValue().size() + " values");
                }
                entry.getValue().set(FloatBuffer.wrap(mean));
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }
}

package dev.deepretrieval.actors;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The learner's policy weights at one version, copied out of native memory so that they can cross to the policy
 * actor (and, in a cluster, the network) without sharing NDArrays between owners.
 */
public record WeightsSnapshot(long version, Map<String, float[]> tensors) {

    public WeightsSnapshot {
        tensors = Map.copyOf(tensors);
    }

    public static WeightsSnapshot of(long version, Map<String, NDArray> parameters) {
        var copies = new LinkedHashMap<String, float[]>();
        parameters.forEach((name, array) -> copies.put(name, array.toFloatArray()));
        return new WeightsSnapshot(version, copies);
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

package dev.deepretrieval.policy.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.checkpoint.Checkpoint;
import dev.deepretrieval.policy.checkpoint.CheckpointStore;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ValueHead;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Saves and restores everything an {@link RlTrainer} run needs to continue exactly: policy, critic and value head,
 * both optimizers' moments and step counts, the update count, the adaptive KL coefficient, plus the caller's state (data cursor, RNG state,
 * resolved config) as JSON.
 *
 * @param critic the separate critic, or null
 * @param valueHead the value head, or null
 */
public record TrainerCheckpoints(CheckpointStore store, RlTrainer trainer, DecoderWeights actor, DecoderWeights critic,
        ValueHead valueHead) {

    /** Writes the checkpoint of {@code step}; {@code callerState} holds the cursor, RNG state and config. */
    public void save(long step, ObjectNode callerState) throws IOException {
        ObjectNode state = callerState.deepCopy();
        putCounters(state);
        store.write(step, groups(), state);
    }

    private void putCounters(ObjectNode state) {
        state.put("updates", trainer.updates());
        state.put("actor_optimizer_steps", trainer.actorOptimizer().steps());
        if (trainer.criticOptimizer() != null) {
            state.put("critic_optimizer_steps", trainer.criticOptimizer().steps());
        }
        trainer.adaptiveKlCoefficient().ifPresent(beta -> state.put("kl_coefficient", beta));
    }

    private void restoreCounters(JsonNode state) {
        trainer.restoreUpdates(state.path("updates").asInt());
        trainer.actorOptimizer().restoreSteps(state.path("actor_optimizer_steps").asInt());
        if (trainer.criticOptimizer() != null) {
            trainer.criticOptimizer().restoreSteps(state.path("critic_optimizer_steps").asInt());
        }
        if (state.has("kl_coefficient")) {
            trainer.restoreAdaptiveKlCoefficient(state.path("kl_coefficient").asDouble());
        }
    }

    /**
     * Everything a checkpoint holds but the caller's state, copied to the Java heap: what a learner restarted in the
     * same process continues from, however long ago the last checkpoint was written.
     *
     * @param updates the update count (the policy version) the copy was taken at
     */
    public record Held(long updates, Map<String, Map<String, float[]>> groups, ObjectNode counters) {}

    /** Copies the live arrays and counters out (about three times the policy's size for GRPO). */
    public Held hold() {
        var copies = new LinkedHashMap<String, Map<String, float[]>>();
        groups().forEach((group, arrays) -> {
            var copy = new LinkedHashMap<String, float[]>();
            arrays.forEach((name, array) -> copy.put(name, array.toFloatArray()));
            copies.put(group, copy);
        });
        ObjectNode counters = JsonMapping.mapper().createObjectNode();
        putCounters(counters);
        return new Held(trainer.updates(), copies, counters);
    }

    /** Puts a {@link #hold} copy back into the live arrays and counters. */
    public void restore(Held held) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            groups().forEach((group, arrays) -> arrays.forEach((name, array) -> {
                float[] values = held.groups().getOrDefault(group, Map.of()).get(name);
                if (values == null || values.length != array.size()) {
                    throw new IllegalArgumentException("the held state has no " + group + "/" + name + " of size "
                            + array.size());
                }
                array.set(values);
            }));
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        restoreCounters(held.counters());
    }

    /** Restores the newest valid checkpoint into the live arrays; empty when there is none. */
    public Optional<Checkpoint> restoreLatest() throws IOException {
        Optional<Checkpoint> latest = store.latestValid();
        if (latest.isEmpty()) {
            return latest;
        }
        Checkpoint checkpoint = latest.get();
        groups().forEach(checkpoint::restore);
        restoreCounters(checkpoint.state());
        return latest;
    }

    private Map<String, Map<String, NDArray>> groups() {
        var groups = new LinkedHashMap<String, Map<String, NDArray>>();
        groups.put("actor", actor.parameters());
        if (critic != null) {
            groups.put("critic", critic.parameters());
        }
        if (valueHead != null) {
            groups.put("value_head", Map.of(ValueHead.WEIGHT, valueHead.weight(), ValueHead.BIAS, valueHead.bias()));
        }
        groups.put("actor_adam_m", trainer.actorOptimizer().firstMoments());
        groups.put("actor_adam_v", trainer.actorOptimizer().secondMoments());
        if (trainer.criticOptimizer() != null) {
            groups.put("critic_adam_m", trainer.criticOptimizer().firstMoments());
            groups.put("critic_adam_v", trainer.criticOptimizer().secondMoments());
        }
        return groups;
    }
}

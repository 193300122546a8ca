package dev.deepretrieval.policy.rl;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        state.put("updates", trainer.updates());
        state.put("actor_optimizer_steps", trainer.actorOptimizer().steps());
        if (trainer.criticOptimizer() != null) {
            state.put("critic_optimizer_steps", trainer.criticOptimizer().steps());
        }
        trainer.adaptiveKlCoefficient().ifPresent(beta -> state.put("kl_coefficient", beta));
        store.write(step, groups(), state);
    }

    /** Restores the newest valid checkpoint into the live arrays; empty when there is none. */
    public Optional<Checkpoint> restoreLatest() throws IOException {
        Optional<Checkpoint> latest = store.latestValid();
        if (latest.isEmpty()) {
            return latest;
        }
        Checkpoint checkpoint = latest.get();
        groups().forEach(checkpoint::restore);
        trainer.restoreUpdates(checkpoint.state().path("updates").asInt());
        trainer.actorOptimizer().restoreSteps(checkpoint.state().path("actor_optimizer_steps").asInt());
        if (trainer.criticOptimizer() != null) {
            trainer.criticOptimizer().restoreSteps(checkpoint.state().path("critic_optimizer_steps").asInt());
        }
        if (checkpoint.state().has("kl_coefficient")) {
            trainer.restoreAdaptiveKlCoefficient(checkpoint.state().path("kl_coefficient").asDouble());
        }
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

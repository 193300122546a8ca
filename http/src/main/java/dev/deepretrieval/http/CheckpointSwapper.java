package dev.deepretrieval.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepretrieval.actors.RolloutPolicies;
import dev.deepretrieval.policy.Policy;
import dev.deepretrieval.policy.PolicyLoadException;
import dev.deepretrieval.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Swaps in a policy from a folder or from a training run's checkpoints:
 * {@code {"model"?: folder, "checkpoints"?: folder, "step"?: n}}. With {@code checkpoints} the policy is the model
 * (default: the one served at start) with the actor weights of checkpoint {@code step}, or of the newest valid one;
 * the version is then {@code <run folder>@step-<n>}, else the model folder's name.
 */
public final class CheckpointSwapper implements PolicySwapper {

    private final ServedPolicy served;
    private final Path baseModel;
    private final String device;

    public CheckpointSwapper(ServedPolicy served, Path baseModel, String device) {
        this.served = served;
        this.baseModel = baseModel;
        this.device = device;
    }

    /** The version name of a model folder served as it is. */
    public static String versionOf(Path model) {
        Path name = model.toAbsolutePath().normalize().getFileName();
        return name == null ? "model" : name.toString();
    }

    @Override
    public String swap(JsonNode body) {
        RequestFields fields = new RequestFields(body);
        Path model = fields.optionalText("model").map(Path::of).orElse(baseModel);
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            throw new InvalidRequest("model", "no model folder (config.json) at " + model);
        }
        var checkpoints = fields.optionalText("checkpoints").map(Path::of);
        if (checkpoints.isPresent() && !Files.isDirectory(checkpoints.get())) {
            throw new InvalidRequest("checkpoints", "no folder at " + checkpoints.get());
        }
        OptionalLong step = fields.optionalLong("step");
        if (step.isPresent() && checkpoints.isEmpty()) {
            throw new InvalidRequest("step", "a pinned step needs a checkpoints folder");
        }
        if (checkpoints.isEmpty()) {
            Policy policy;
            try {
                policy = PolicyLoader.load(model, Optional.empty(), PolicyLoader.device(device));
            } catch (PolicyLoadException e) {
                throw new InvalidRequest("model", e.getMessage());
            }
            String version = versionOf(model);
            served.swap(policy, version);
            return version;
        }
        RolloutPolicies.Loaded loaded;
        try {
            loaded = RolloutPolicies.loadAt(model, checkpoints.get(), step, device);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("step", e.getMessage());
        } catch (PolicyLoadException e) {
            throw new InvalidRequest("model", e.getMessage());
        }
        Path run = checkpoints.get().toAbsolutePath().normalize().getParent();
        String version = (run == null || run.getFileName() == null ? "run" : run.getFileName().toString())
                + loaded.step().stream().mapToObj(s -> "@step-" + s).findFirst().orElse("@initial");
        served.swap(loaded.policy(), version);
        return version;
    }
}

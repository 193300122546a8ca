package dev.deepretrieval.policy.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.PolicyLoadException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a Hugging Face {@code config.json} for {@code LlamaForCausalLM} or {@code Qwen2ForCausalLM}. Anything this
 * decoder does not implement (another architecture, an activation other than SiLU, MLP biases, sliding-window
 * attention, a rope scaling other than Llama 3's) fails with a message naming the field.
 */
public final class HfConfigReader {

    private static final Set<String> ARCHITECTURES = Set.of(ModelConfig.LLAMA, ModelConfig.QWEN2);

    private HfConfigReader() {}

    public static ModelConfig read(Path configJson) {
        JsonNode root;
        try {
            root = JsonMapping.mapper().readTree(configJson.toFile());
        } catch (IOException e) {
            throw new PolicyLoadException(configJson + ": cannot read: " + e.getMessage(), e);
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new PolicyLoadException(configJson + ": " + e.getMessage(), e);
        }
    }

    static ModelConfig parse(JsonNode root) {
        JsonNode architectures = root.path("architectures");
        if (!architectures.isArray() || architectures.size() != 1) {
            throw new IllegalArgumentException("\"architectures\" must list exactly one architecture");
        }
        String architecture = architectures.get(0).asText();
        if (!ARCHITECTURES.contains(architecture)) {
            throw new IllegalArgumentException("unsupported architecture \"" + architecture + "\" (supported: "
                    + ModelConfig.LLAMA + ", " + ModelConfig.QWEN2 + ")");
        }
        boolean qwen = architecture.equals(ModelConfig.QWEN2);
        String activation = root.path("hidden_act").asText("silu");
        if (!activation.equals("silu")) {
            throw new IllegalArgumentException("unsupported \"hidden_act\": \"" + activation + "\" (only silu)");
        }
        if (root.path("mlp_bias").asBoolean(false)) {
            throw new IllegalArgumentException("unsupported \"mlp_bias\": true");
        }
        if (root.path("use_sliding_window").asBoolean(false)) {
            throw new IllegalArgumentException("unsupported \"use_sliding_window\": true");
        }
        int hidden = required(root, "hidden_size");
        int heads = required(root, "num_attention_heads");
        int headDim = root.hasNonNull("head_dim") ? root.get("head_dim").asInt() : hidden / heads;
        boolean llamaBias = root.path("attention_bias").asBoolean(false);
        return new ModelConfig(
                architecture,
                required(root, "vocab_size"),
                hidden,
                required(root, "intermediate_size"),
                required(root, "num_hidden_layers"),
                heads,
                root.hasNonNull("num_key_value_heads") ? root.get("num_key_value_heads").asInt() : heads,
                headDim,
                root.path("rms_norm_eps").asDouble(1e-6),
                root.path("rope_theta").asDouble(10000.0),
                ropeScaling(root.path("rope_scaling")),
                root.path("max_position_embeddings").asInt(4096),
                root.path("tie_word_embeddings").asBoolean(false),
                qwen || llamaBias,
                !qwen && llamaBias,
                optionalInt(root, "bos_token_id"),
                ids(root.path("eos_token_id")),
                optionalInt(root, "pad_token_id"));
    }

    private static Optional<RopeScaling> ropeScaling(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        String type = node.path("rope_type").asText(node.path("type").asText(""));
        if (type.equals("default")) {
            return Optional.empty();
        }
        if (!type.equals("llama3")) {
            throw new IllegalArgumentException("unsupported \"rope_scaling\" type \"" + type + "\" (supported: llama3)");
        }
        return Optional.of(new RopeScaling(
                requiredNumber(node, "factor"),
                requiredNumber(node, "low_freq_factor"),
                requiredNumber(node, "high_freq_factor"),
                (int) requiredNumber(node, "original_max_position_embeddings")));
    }

    private static int required(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new IllegalArgumentException("missing or non-integer \"" + field + "\"");
        }
        return value.asInt();
    }

    private static double requiredNumber(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException("missing or non-numeric \"rope_scaling." + field + "\"");
        }
        return value.asDouble();
    }

    private static Optional<Integer> optionalInt(JsonNode root, String field) {
        JsonNode value = root.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asInt());
    }

    private static List<Integer> ids(JsonNode node) {
        var ids = new ArrayList<Integer>();
        if (node.isArray()) {
            node.forEach(n -> ids.add(n.asInt()));
        } else if (node.canConvertToInt()) {
            ids.add(node.asInt());
        }
        return ids;
    }
}

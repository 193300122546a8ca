package dev.deepretrieval.policy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.AtomicFiles;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.ModelConfig;
import dev.deepretrieval.policy.weights.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * Exports decoder weights as a Hugging Face folder ({@code config.json}, F32 {@code model.safetensors} in Hugging
 * Face orientation, and the tokenizer file when given) that {@link PolicyLoader} and Hugging Face Transformers load.
 * The folder is written next to its destination and renamed into place, so it is complete or absent.
 */
public final class HfExporter {

    private HfExporter() {}

    public static void export(DecoderWeights weights, Path folder, Optional<Path> tokenizerJson) throws IOException {
        export(weights, folder, tokenizerJson, Optional.empty());
    }

    /**
     * As above, also writing {@code tokenizer_config.json} (for example {@code add_bos_token} and
     * {@code eos_token}, which {@link PolicyLoader} reads).
     */
    public static void export(DecoderWeights weights, Path folder, Optional<Path> tokenizerJson,
            Optional<ObjectNode> tokenizerConfig) throws IOException {
        Path absolute = folder.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temporary = Files.createTempDirectory(absolute.getParent(), "." + absolute.getFileName() + "-");
        try {
            JsonMapping.pretty().writeValue(temporary.resolve("config.json").toFile(), configJson(weights.config()));
            var tensors = new LinkedHashMap<String, SafetensorsWriter.Tensor>();
            for (String name : weights.parameters().keySet()) {
                tensors.put(name, weights.huggingFaceTensor(name));
            }
            SafetensorsWriter.write(temporary.resolve("model.safetensors"), tensors);
            if (tokenizerConfig.isPresent()) {
                JsonMapping.pretty().writeValue(temporary.resolve("tokenizer_config.json").toFile(), tokenizerConfig.get());
            }
            if (tokenizerJson.isPresent()) {
                Files.copy(tokenizerJson.get(), temporary.resolve("tokenizer.json"));
            }
            AtomicFiles.publishFolder(temporary, absolute);
        } finally {
            AtomicFiles.deleteTree(temporary);
        }
    }

    /**
     * Exports fine-tuned weights with the tokenizer files ({@code tokenizer.json}, {@code tokenizer_config.json}) of
     * the folder they were loaded from, when it has them.
     */
    public static void exportWithTokenizerOf(DecoderWeights weights, Path folder, Path source) throws IOException {
        Path tokenizerJson = source.resolve("tokenizer.json");
        Path tokenizerConfig = source.resolve("tokenizer_config.json");
        export(weights, folder, Files.isRegularFile(tokenizerJson) ? Optional.of(tokenizerJson) : Optional.empty(),
                Files.isRegularFile(tokenizerConfig)
                        ? Optional.of((ObjectNode) JsonMapping.mapper().readTree(tokenizerConfig.toFile()))
                        : Optional.empty());
    }

    static ObjectNode configJson(ModelConfig config) {
        ObjectNode node = JsonMapping.mapper().createObjectNode();
        node.putArray("architectures").add(config.architecture());
        node.put("model_type", config.architecture().equals(ModelConfig.QWEN2) ? "qwen2" : "llama");
        node.put("hidden_act", "silu");
        node.put("vocab_size", config.vocabSize());
        node.put("hidden_size", config.hiddenSize());
        node.put("intermediate_size", config.intermediateSize());
        node.put("num_hidden_layers", config.numLayers());
        node.put("num_attention_heads", config.numHeads());
        node.put("num_key_value_heads", config.numKeyValueHeads());
        node.put("head_dim", config.headDim());
        node.put("rms_norm_eps", config.rmsNormEps());
        node.put("rope_theta", config.ropeTheta());
        config.ropeScaling().ifPresentOrElse(s -> {
            ObjectNode scaling = node.putObject("rope_scaling");
            scaling.put("rope_type", "llama3");
            scaling.put("factor", s.factor());
            scaling.put("low_freq_factor", s.lowFreqFactor());
            scaling.put("high_freq_factor", s.highFreqFactor());
            scaling.put("original_max_position_embeddings", s.originalMaxPositions());
        }, () -> node.putNull("rope_scaling"));
        node.put("max_position_embeddings", config.maxPositions());
        node.put("tie_word_embeddings", config.tieWordEmbeddings());
        if (config.architecture().equals(ModelConfig.LLAMA)) {
            node.put("attention_bias", config.attentionBias());
        }
        config.bosTokenId().ifPresentOrElse(id -> node.put("bos_token_id", id), () -> node.putNull("bos_token_id"));
        var eos = node.putArray("eos_token_id");
        config.eosTokenIds().forEach(eos::add);
        config.padTokenId().ifPresent(id -> node.put("pad_token_id", id));
        node.put("torch_dtype", "float32");
        return node;
    }
}

package dev.deepretrieval.policy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.deepretrieval.io.JsonMapping;
import dev.deepretrieval.policy.model.DecoderWeights;
import dev.deepretrieval.policy.model.HfConfigReader;
import dev.deepretrieval.policy.model.ModelConfig;
import dev.deepretrieval.policy.tokenizer.HfTokenizer;
import dev.deepretrieval.policy.tokenizer.Llama2cTokenizer;
import dev.deepretrieval.policy.tokenizer.TextTokenizer;
import dev.deepretrieval.policy.weights.Llama2cCheckpoint;
import dev.deepretrieval.policy.weights.SafetensorsCheckpoint;
import dev.deepretrieval.policy.weights.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Loads a policy from local files only:
 *
 * <ul>
 *   <li>a Hugging Face folder: {@code config.json}, {@code model.safetensors} or sharded safetensors with their
 *       index, and {@code tokenizer.json} (or {@code .json.gz}) with {@code tokenizer_config.json} (its
 *       {@code add_bos_token} and {@code eos_token} are honoured);
 *   <li>a llama2.c {@code .bin} checkpoint, with its {@code tok*.bin} tokenizer (looked up next to it when not given).
 * </ul>
 */
public final class PolicyLoader {

    private PolicyLoader() {}

    /**
     * {@code cpu}, or {@code cuda} (also {@code gpu}, {@code cuda:N} for the N-th device) when DJL's PyTorch sees a
     * CUDA device: a CUDA libtorch loaded from a folder (README "Running on a GPU").
     */
    public static Device device(String name) {
        String normalised = name.strip().toLowerCase(Locale.ROOT);
        if (normalised.equals("cpu")) {
            return Device.cpu();
        }
        if (normalised.equals("gpu") || normalised.equals("cuda") || normalised.matches("cuda:\\d+")) {
            int index = normalised.startsWith("cuda:") ? Integer.parseInt(normalised.substring(5)) : 0;
            int visible = Engine.getInstance().getGpuCount();
            if (visible <= index) {
                throw new PolicyLoadException("device " + name + " requested but DJL's PyTorch sees " + visible
                        + " CUDA device(s): point DEEPRETRIEVAL_LIBTORCH at a CUDA libtorch folder and set"
                        + " PYTORCH_FLAVOR (README \"Running on a GPU\")");
            }
            return Device.gpu(index);
        }
        throw new PolicyLoadException("unknown device '" + name + "' (expected cpu, cuda or cuda:N)");
    }

    /**
     * @param model a Hugging Face folder or a llama2.c {@code .bin} file
     * @param tokenizer an explicit tokenizer file, or empty to find it next to the model
     */
    public static Policy load(Path model, Optional<Path> tokenizer, Device device) {
        if (Files.isRegularFile(model) && model.getFileName().toString().endsWith(".bin")) {
            return loadLlama2c(model, tokenizer, device);
        }
        return loadHuggingFace(model, tokenizer, device);
    }

    /**
     * The model's prompt encoder (tokenizer, BOS rule, context length) without its weights on a device: cheap enough to
     * measure every prompt of a dataset before training. Close it to free the tokenizer.
     */
    public static PromptEncoder loadPromptEncoder(Path model) {
        if (Files.isRegularFile(model) && model.getFileName().toString().endsWith(".bin")) {
            ModelConfig config = Llama2cCheckpoint.open(model).config();
            return new PromptEncoder(Llama2cTokenizer.open(findLlama2cTokenizer(model, config.vocabSize())),
                    OptionalInt.of(Llama2cTokenizer.BOS), config.maxPositions());
        }
        HfFolder folder = HfFolder.read(model, Optional.empty());
        TextTokenizer tokenizer = folder.tokenizer().orElseThrow(() ->
                new PolicyLoadException(model + ": no tokenizer.json to encode prompts with"));
        return new PromptEncoder(tokenizer, folder.addBos() ? OptionalInt.of(folder.config().bosTokenId().orElseThrow())
                : OptionalInt.empty(), folder.config().maxPositions());
    }

    /** What a Hugging Face folder says besides its weights: config, tokenizer, BOS rule, extra stop ids. */
    private record HfFolder(ModelConfig config, Optional<TextTokenizer> tokenizer, boolean addBos,
            Set<Integer> extraStops) {

        static HfFolder read(Path folder, Optional<Path> tokenizer) {
            if (!Files.isDirectory(folder)) {
                throw new PolicyLoadException(folder + ": not a Hugging Face model folder or a llama2.c .bin file");
            }
            Path configFile = folder.resolve("config.json");
            if (!Files.isRegularFile(configFile)) {
                throw new PolicyLoadException(folder + ": missing config.json");
            }
            ModelConfig config = HfConfigReader.read(configFile);
            JsonNode tokenizerConfig = readOptionalJson(folder.resolve("tokenizer_config.json"));
            Optional<Path> tokenizerFile = tokenizer.or(() -> firstExisting(
                    folder.resolve("tokenizer.json"), folder.resolve("tokenizer.json.gz")));
            Optional<TextTokenizer> tok = tokenizerFile.map(HfTokenizer::open);
            boolean addBos = tokenizerConfig.path("add_bos_token").asBoolean(false) && config.bosTokenId().isPresent();
            Set<Integer> extraStops = new HashSet<>();
            String eosText = tokenizerConfig.path("eos_token").isTextual() ? tokenizerConfig.path("eos_token").asText()
                    : tokenizerConfig.path("eos_token").path("content").asText("");
            if (!eosText.isEmpty()) {
                tok.flatMap(t -> {
                    var id = t.tokenId(eosText);
                    return id.isPresent() ? Optional.of(id.getAsInt()) : Optional.empty();
                }).ifPresent(extraStops::add);
            }
            return new HfFolder(config, tok, addBos, extraStops);
        }
    }

    private static Policy loadLlama2c(Path file, Optional<Path> tokenizer, Device device) {
        Llama2cCheckpoint checkpoint = Llama2cCheckpoint.open(file);
        Path tokenizerFile = tokenizer.orElseGet(() -> findLlama2cTokenizer(file, checkpoint.config().vocabSize()));
        Llama2cTokenizer tok = Llama2cTokenizer.open(tokenizerFile);
        if (tok.vocabSize() != checkpoint.config().vocabSize()) {
            throw new PolicyLoadException(tokenizerFile + ": has " + tok.vocabSize() + " tokens, the model "
                    + checkpoint.config().vocabSize());
        }
        return assemble(checkpoint.config(), checkpoint, Optional.of(tok), true, Set.of(), device);
    }

    private static Path findLlama2cTokenizer(Path model, int vocab) {
        Path candidate = model.resolveSibling("tok" + vocab + ".bin");
        if (!Files.isRegularFile(candidate)) {
            throw new PolicyLoadException(model + ": no tokenizer given and " + candidate + " does not exist (use --tokenizer)");
        }
        return candidate;
    }

    private static Policy loadHuggingFace(Path folder, Optional<Path> tokenizer, Device device) {
        HfFolder read = HfFolder.read(folder, tokenizer);
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(folder)) {
            return assemble(read.config(), checkpoint, read.tokenizer(), read.addBos(), read.extraStops(), device);
        } catch (RuntimeException e) {
            read.tokenizer().ifPresent(TextTokenizer::close);
            throw e;
        }
    }

    private static Policy assemble(ModelConfig config, TensorSource source, Optional<TextTokenizer> tokenizer,
            boolean addBos, Set<Integer> extraStops, Device device) {
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            DecoderWeights weights = DecoderWeights.load(config, source, manager);
            return new Policy(manager, weights, tokenizer, addBos, extraStops);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static JsonNode readOptionalJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return JsonMapping.mapper().createObjectNode();
        }
        try {
            return JsonMapping.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new PolicyLoadException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Optional<Path> firstExisting(Path... candidates) {
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}

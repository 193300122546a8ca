package dev.deepretrieval.policy;

import java.nio.file.Path;

/** Paths to the real models in ../shared/models, from a module's working directory. */
public final class SharedModels {

    private SharedModels() {}

    public static Path stories260k() {
        return root().resolve("stories260K/stories260K.bin");
    }

    public static Path tinyRandomLlama() {
        return root().resolve("tiny-random-llama-hf");
    }

    public static Path qwenTokenizer() {
        return root().resolve("qwen-tokenizer/tokenizer.json.gz");
    }

    private static Path root() {
        return Path.of("..", "..", "shared", "models").toAbsolutePath().normalize();
    }
}

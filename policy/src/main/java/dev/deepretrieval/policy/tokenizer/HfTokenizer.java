package dev.deepretrieval.policy.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.deepretrieval.policy.PolicyLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.zip.GZIPInputStream;

/** A Hugging Face {@code tokenizer.json} (or {@code tokenizer.json.gz}) read from a local file, never a hub id. */
public final class HfTokenizer implements TextTokenizer {

    private static final Map<String, String> OPTIONS = Map.of(
            "addSpecialTokens", "false", "truncation", "false", "padding", "false");

    private final HuggingFaceTokenizer tokenizer;

    private HfTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    public static HfTokenizer open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new PolicyLoadException(file + ": tokenizer file not found");
        }
        try (InputStream in = file.getFileName().toString().endsWith(".gz")
                ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
            return new HfTokenizer(HuggingFaceTokenizer.newInstance(in, OPTIONS));
        } catch (IOException | RuntimeException e) {
            throw new PolicyLoadException(file + ": cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    @Override
    public int[] encode(String text) {
        Encoding encoding = tokenizer.encode(text, false, false);
        long[] ids = encoding.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, false);
    }

    @Override
    public OptionalInt tokenId(String token) {
        int[] ids = encode(token);
        return ids.length == 1 && decode(ids).equals(token) ? OptionalInt.of(ids[0]) : OptionalInt.empty();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

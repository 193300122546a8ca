package dev.deepretrieval.policy;

import dev.deepretrieval.policy.tokenizer.TextTokenizer;
import java.util.OptionalInt;

/**
 * Turns prompt text into the token ids a model is fed: its tokenizer, with BOS first when the model expects it.
 * Loadable without the model's weights ({@link PolicyLoader#loadPromptEncoder}), to measure prompts cheaply.
 *
 * @param bos the BOS id to put first, when the model expects one
 * @param contextLength the model's context ({@code max_position_embeddings})
 */
public record PromptEncoder(TextTokenizer tokenizer, OptionalInt bos, int contextLength) implements AutoCloseable {

    /** Token ids of a prompt, with BOS first when the model expects it; an empty prompt is just BOS. */
    public int[] encode(String prompt) {
        int[] body = tokenizer.encode(prompt);
        if (bos.isEmpty()) {
            if (body.length == 0) {
                throw new IllegalArgumentException("empty prompt and the model has no BOS token to start from");
            }
            return body;
        }
        int[] out = new int[body.length + 1];
        out[0] = bos.getAsInt();
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

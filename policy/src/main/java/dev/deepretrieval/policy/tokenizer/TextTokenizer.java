package dev.deepretrieval.policy.tokenizer;

import java.util.OptionalInt;
import java.util.function.Function;

/** Text ↔ token ids. {@link #encode} adds no special tokens; callers add BOS where the model needs it. */
public interface TextTokenizer extends AutoCloseable {

    int[] encode(String text);

    /** Decodes ids; special tokens are rendered as their text, except llama2.c's BOS/EOS markers. */
    String decode(int[] ids);

    /** The id of a token given as its exact text (e.g. {@code <|im_end|>}), if the vocabulary has it. */
    OptionalInt tokenId(String token);

    /** The text {@code generated} adds after {@code prompt}, decoded in context (so leading spaces come out right). */
    default String decodeContinuation(int[] prompt, int[] generated) {
        return continuationsOf(prompt).apply(generated);
    }

    /** Decodes continuations of one prompt as {@link #decodeContinuation} does, decoding the prompt alone only once. */
    default Function<int[], String> continuationsOf(int[] prompt) {
        String head = decode(prompt);
        return generated -> {
            int[] all = new int[prompt.length + generated.length];
            System.arraycopy(prompt, 0, all, 0, prompt.length);
            System.arraycopy(generated, 0, all, prompt.length, generated.length);
            String whole = decode(all);
            return whole.startsWith(head) ? whole.substring(head.length()) : decode(generated);
        };
    }

    @Override
    default void close() {}
}

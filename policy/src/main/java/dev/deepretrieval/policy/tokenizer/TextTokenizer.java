package dev.deepretrieval.policy.tokenizer;

import java.util.OptionalInt;

/** Text ↔ token ids. {@link #encode} adds no special tokens; callers add BOS where the model needs it. */
public interface TextTokenizer extends AutoCloseable {

    int[] encode(String text);

    /** Decodes ids; special tokens are rendered as their text, except llama2.c's BOS/EOS markers. */
    String decode(int[] ids);

    /** The id of a token given as its exact text (e.g. {@code <|im_end|>}), if the vocabulary has it. */
    OptionalInt tokenId(String token);

    /** The text {@code generated} adds after {@code prompt}, decoded in context (so leading spaces come out right). */
    default String decodeContinuation(int[] prompt, int[] generated) {
        int[] all = new int[prompt.length + generated.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        String whole = decode(all);
        String head = decode(prompt);
        return whole.startsWith(head) ? whole.substring(head.length()) : decode(generated);
    }

    @Override
    default void close() {}
}

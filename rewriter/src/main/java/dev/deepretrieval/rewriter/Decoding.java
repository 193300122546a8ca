package dev.deepretrieval.rewriter;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a rewriter decodes: what the policy may write. */
public enum Decoding {
    /** Any text; an answer that does not parse is the policy's mistake (the reward's format penalty). */
    FREE,
    /** Constrained to the answer format ({@link GuidedAnswer}): every answer parses. */
    GUIDED,
    /**
     * Query reduction ({@link ExtractiveAnswer}): the canonical answer around some of the original query's words, in
     * order; the policy chooses which words to keep.
     */
    EXTRACTIVE;

    /** {@code free}, {@code guided} or {@code extractive} (any case). */
    public static Decoding parse(String text) {
        for (Decoding decoding : values()) {
            if (decoding.name().equalsIgnoreCase(text.strip())) {
                return decoding;
            }
        }
        throw new IllegalArgumentException("unknown decoding '" + text + "' (known: " + Arrays.stream(values())
                .map(Decoding::toString).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

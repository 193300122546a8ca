package dev.deepretrieval.environments.dense;

import java.util.Locale;

/** How token vectors become one sentence vector (always L2-normalised afterwards). */
public enum Pooling {
    /** The first ([CLS]) token's vector: bge models. */
    CLS,
    /** The attention-masked mean of the token vectors: MiniLM / e5 models. */
    MEAN;

    public static Pooling parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "cls" -> CLS;
            case "mean" -> MEAN;
            default -> throw new IllegalArgumentException("unknown pooling '" + text + "' (expected cls or mean)");
        };
    }
}

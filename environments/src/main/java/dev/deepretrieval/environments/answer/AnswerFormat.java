package dev.deepretrieval.environments.answer;

import java.util.Locale;

/** Which tags a completion must carry. */
public enum AnswerFormat {
    /**
     * {@code <think>}, {@code </think>}, {@code <answer>}, {@code </answer>} each exactly once, in that order. The
     * prompts pre-fill the opening {@code <think>}, which is part of the completion the parser sees.
     */
    THINK_THEN_ANSWER,
    /** The "no reasoning" variant: {@code <answer>} and {@code </answer>} exactly once, in order. */
    ANSWER_ONLY;

    public static AnswerFormat parse(String text) {
        String normalised = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (AnswerFormat format : values()) {
            if (format.name().equals(normalised)) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown answer format '" + text + "' (expected think-then-answer or answer-only)");
    }
}

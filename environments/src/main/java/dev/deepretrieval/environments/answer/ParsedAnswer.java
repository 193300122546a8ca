package dev.deepretrieval.environments.answer;

import java.util.Optional;

/**
 * A completion as the reward sees it.
 *
 * @param structureValid the tag structure check passed
 * @param answerText the stripped text of the last {@code <answer>…</answer>} block, if any
 * @param field what the JSON in the answer held for the required key
 */
public record ParsedAnswer(boolean structureValid, Optional<String> answerText, JsonField field) {

    /**
     * The strict format check of the BEIR and SQL rewards: structure valid and the JSON holds the key.
     */
    public boolean structureAndJsonValid() {
        return structureValid && field.keyPresent();
    }

    /** The usable query or SQL: the key's string value. */
    public Optional<String> value() {
        return field.value();
    }
}

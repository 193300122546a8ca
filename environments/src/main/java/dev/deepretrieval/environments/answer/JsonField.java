package dev.deepretrieval.environments.answer;

import java.util.Optional;

/**
 * What the JSON inside {@code <answer>} yielded for the required key.
 *
 * @param status how the extraction went
 * @param value the field's text when {@code status} is {@link Status#PRESENT}
 */
public record JsonField(Status status, Optional<String> value) {

    /** Extraction outcomes, in the order they are checked. */
    public enum Status {
        /** No answer block to read. */
        NO_ANSWER,
        /** The answer is not a single valid JSON value. */
        INVALID_JSON,
        /** Valid JSON, but not an object holding the key. */
        MISSING_KEY,
        /** The key is present but its value is not a string. */
        NOT_A_STRING,
        /** The key holds a string. */
        PRESENT
    }

    static JsonField of(Status status) {
        return new JsonField(status, Optional.empty());
    }

    static JsonField present(String value) {
        return new JsonField(Status.PRESENT, Optional.of(value));
    }

    /** Whether the key is present, whatever its value: the reference code's {@code check_json_format}. */
    public boolean keyPresent() {
        return status == Status.PRESENT || status == Status.NOT_A_STRING;
    }
}

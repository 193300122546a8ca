package dev.deepretrieval.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.OptionalLong;

/** Typed reads of a JSON request body's fields, each failure an {@link InvalidRequest} naming the field. */
public final class RequestFields {

    private final JsonNode body;

    public RequestFields(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequest("", "the body must be a JSON object");
        }
        this.body = body;
    }

    /** Refuses a body with a field outside {@code known} (a misspelt option must not pass silently). */
    public void onlyKnown(java.util.Set<String> known) {
        body.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw new InvalidRequest(name, "unknown field (known: " + new java.util.TreeSet<>(known) + ")");
            }
        });
    }

    JsonNode node(String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value;
    }

    String requiredText(String field) {
        return optionalText(field).orElseThrow(() -> new InvalidRequest(field, "is required"));
    }

    /** A string that, when present, is not blank. */
    public Optional<String> optionalNonBlank(String field) {
        Optional<String> text = optionalText(field);
        if (text.isPresent() && text.get().isBlank()) {
            throw new InvalidRequest(field, "must be a non-empty string");
        }
        return text;
    }

    Optional<String> optionalText(String field) {
        JsonNode value = node(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new InvalidRequest(field, "must be a string");
        }
        return Optional.of(value.asText());
    }

    double number(String field, double fallback, double min, double max) {
        JsonNode value = node(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isNumber() || !Double.isFinite(value.asDouble()) || value.asDouble() < min || value.asDouble() > max) {
            throw new InvalidRequest(field, "must be a number from " + min + " to " + max);
        }
        return value.asDouble();
    }

    int integer(String field, int fallback, int min, int max) {
        JsonNode value = node(field);
        if (value == null) {
            return fallback;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < min || value.asInt() > max) {
            throw new InvalidRequest(field, "must be an integer from " + min + " to " + max);
        }
        return value.asInt();
    }

    OptionalLong optionalLong(String field) {
        return optionalLong(field, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** An integer from {@code min} to {@code max}, when present. */
    public OptionalLong optionalLong(String field, long min, long max) {
        JsonNode value = node(field);
        if (value == null) {
            return OptionalLong.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
            throw new InvalidRequest(field, min == Long.MIN_VALUE && max == Long.MAX_VALUE ? "must be an integer"
                    : "must be an integer from " + min + " to " + max);
        }
        return OptionalLong.of(value.asLong());
    }

    boolean flag(String field, boolean fallback) {
        JsonNode value = node(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw new InvalidRequest(field, "must be true or false");
        }
        return value.asBoolean();
    }
}

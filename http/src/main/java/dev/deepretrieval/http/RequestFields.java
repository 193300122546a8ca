package dev.deepretrieval.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.OptionalLong;

/** Typed reads of a JSON request body's fields, each failure an {@link InvalidRequest} naming the field. */
final class RequestFields {

    private final JsonNode body;

    RequestFields(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequest("", "the body must be a JSON object");
        }
        this.body = body;
    }

    JsonNode node(String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value;
    }

    String requiredText(String field) {
        return optionalText(field).orElseThrow(() -> new InvalidRequest(field, "is required"));
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
        JsonNode value = node(field);
        if (value == null) {
            return OptionalLong.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidRequest(field, "must be an integer");
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

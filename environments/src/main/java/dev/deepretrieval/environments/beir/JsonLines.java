package dev.deepretrieval.environments.beir;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.deepretrieval.io.JsonMapping;
import java.io.BufferedReader;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Strict JSON-lines reading: one JSON object per non-blank line, errors reported with file and line. */
final class JsonLines {

    private static final ObjectReader MAPPER =
            JsonMapping.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonLines() {}

    /** A parsed line with its position, so field errors can name the line. */
    record Line(Path file, long number, JsonNode node) {

        /** A required text field; numbers are accepted and rendered as text (some corpora use numeric ids). */
        String requiredText(String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                throw new DatasetFormatException(file, number, "missing field \"" + field + "\"");
            }
            if (!value.isTextual() && !value.isNumber()) {
                throw new DatasetFormatException(
                        file, number, "field \"" + field + "\" must be a string, got " + value.getNodeType());
            }
            return value.asText();
        }

        /** An optional text field, empty when absent or null. */
        String optionalText(String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return "";
            }
            if (!value.isTextual()) {
                throw new DatasetFormatException(
                        file, number, "field \"" + field + "\" must be a string, got " + value.getNodeType());
            }
            return value.asText();
        }
    }

    /** Calls {@code consumer} for every non-blank line of {@code file}, in order. */
    static void forEach(Path file, Consumer<Line> consumer) {
        BufferedReader reader = DatasetFiles.open(file);
        try {
            long number = 0;
            String text;
            while ((text = DatasetFiles.readLine(reader, file, number + 1)) != null) {
                number++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = MAPPER.readTree(text);
                } catch (JsonProcessingException e) {
                    throw new DatasetFormatException(
                            file, number, "invalid JSON: " + e.getOriginalMessage(), e);
                }
                if (node == null || !node.isObject()) {
                    throw new DatasetFormatException(file, number, "expected a JSON object");
                }
                consumer.accept(new Line(file, number, node));
            }
        } finally {
            DatasetFiles.close(reader);
        }
    }
}

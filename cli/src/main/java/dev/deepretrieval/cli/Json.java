package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.deepretrieval.io.JsonMapping;

/** The one JSON reader and writer of the CLI's machine-readable output. */
final class Json {

    private static final ObjectMapper MAPPER = JsonMapping.mapper();

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** A JSON file's content. */
    static com.fasterxml.jackson.databind.JsonNode read(java.nio.file.Path file) throws java.io.IOException {
        return MAPPER.readTree(file.toFile());
    }

    /** One line of compact JSON. */
    static String line(ObjectNode node) {
        return node.toString();
    }
}

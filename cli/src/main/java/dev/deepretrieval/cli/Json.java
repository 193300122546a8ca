package dev.deepretrieval.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one JSON writer of the CLI's machine-readable output. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** One line of compact JSON. */
    static String line(ObjectNode node) {
        return node.toString();
    }
}
